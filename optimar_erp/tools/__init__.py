"""Developer tools: code that makes the app's data files, never imported by the app at runtime.

- :mod:`~optimar_erp.tools.inbox_corpus` renders the hand-written templates of
  ``inbox_corpus_templates.txt`` into the inbox classifier's corpus
  (``optimar_erp/engine/inbox/corpus.jsonl``): ``python -m optimar_erp.tools.inbox_corpus``.
"""
