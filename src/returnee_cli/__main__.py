from returnee_cli.main import main

main()
