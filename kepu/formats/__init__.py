"""Date and time formats where kepu's differ from Django's for a language (FORMAT_MODULE_PATH);
anything not set here is Django's."""
