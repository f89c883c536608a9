"""Builds the n-gram model's optional C look-up (bot/language/_ngram_table.c).

Everything else is configured in pyproject.toml. ``optional=True``: without a C
compiler the install goes on and bot/language/ngram.py uses its Python code.
"""
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "bot.language._ngram_table",
            sources=["bot/language/_ngram_table.c"],
            extra_compile_args=["-O3"],
            optional=True,
        )
    ]
)
