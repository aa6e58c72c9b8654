"""The collections inbox: customers' replies classified into decisions (see :mod:`.replies`)."""
