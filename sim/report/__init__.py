"""`sim report`: one self-contained HTML page of a results folder, to read offline and share."""
