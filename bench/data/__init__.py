"""Benchmark data, generated with fixed seeds (Faker en_GB): nothing is downloaded at run time.

One module per benchmark family: people.py (identity), retention.py (retention sweep).
"""
