from workstation.server.cli import main

raise SystemExit(main())
