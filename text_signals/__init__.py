"""Text signals: the sentiment model's training, evaluation and shipped weights (scored in dbt, in SQL)."""
