"""Identity resolution: finding every record about one human through changed names and wrong data."""
