from cicclo.cli import main

raise SystemExit(main())
