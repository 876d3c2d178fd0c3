from comptoir.main import main

main()
