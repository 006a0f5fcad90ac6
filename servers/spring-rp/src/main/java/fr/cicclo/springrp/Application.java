package fr.cicclo.springrp;

import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A relying party as geOrchestra's gateway builds it: Spring Security's reactive OAuth2 login, every page
 * protected; {@code /protected/} shows the claims Spring kept for the logged-in user (ID token and UserInfo).
 */
@SpringBootApplication
@RestController
public class Application {

    public static void main(String[] args) {
        SpringApplication.run(Application.class, args);
    }

    @Bean
    SecurityWebFilterChain security(ServerHttpSecurity http) {
        return http.authorizeExchange(exchanges -> exchanges.anyExchange().authenticated())
                .oauth2Login(login -> { })
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @GetMapping("/protected/")
    Map<String, Object> claims(@AuthenticationPrincipal OidcUser user) {
        return new TreeMap<>(user.getClaims());
    }
}
