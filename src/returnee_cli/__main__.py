from returnee_cli.cli import main

main()
