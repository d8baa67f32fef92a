"""Write the report banner from the settings file and the REPORT_TITLE variable."""

import configparser
import os
import sys

settings = configparser.ConfigParser()
settings.read(sys.argv[1])
width = settings.getint("banner", "width")
with open(sys.argv[2], "w") as out:
    out.write(os.environ["REPORT_TITLE"].center(width, settings.get("banner", "fill")) + "\n")
