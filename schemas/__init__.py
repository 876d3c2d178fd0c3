"""What a valid comptoir record is: pydantic v2 models, one module per record family.

Pure: nothing here reads files, runs git or knows about click.
"""

SETTINGS_FILE = "comptoir.yaml"  # the file that makes a folder a data root
