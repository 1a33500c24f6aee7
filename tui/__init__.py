"""The quiz: Markdown flashcard decks, FSRS scheduling, SQLite progress and the Textual app."""
