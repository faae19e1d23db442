"""The `multilevel` command: a thin front over the library and the Snakemake workflow.

One module per subcommand (:mod:`.init`, :mod:`.check`, :mod:`.report`, :mod:`.listing`);
:mod:`.main` parses the command line and turns every error a user can cause into one message
and an exit status (:data:`.main.EXIT_CODES`).
"""
