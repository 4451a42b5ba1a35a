from tests.hardening.corpus import main

main()
