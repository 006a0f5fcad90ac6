"""ProConnect (OpenID Connect) conformance: profile rules, a browser-like login driver and a test provider.

* :mod:`cicclo.proconnect.profile`: the ProConnect profile as pure checks (discovery, JWKS, authorization and
  logout requests), used by the suite and unit-tested on their own;
* :mod:`cicclo.proconnect.browser`: a headless browser (cookie jar, redirects followed one by one) over the
  suite's HTTP client, so that every hop is kept as redacted evidence;
* :mod:`cicclo.proconnect.lab`: a ProConnect-like provider the suite runs itself, whose tokens are forged per
  login "case" to see whether a relying party accepts what it must refuse;
* :mod:`cicclo.proconnect.context`: the suite context (target options, applicability, shared logins).
"""
