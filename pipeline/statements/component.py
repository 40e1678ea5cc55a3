"""The spaCy component that finds statement candidates after actors are resolved."""

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.actors.mentions import register_extensions
from pipeline.statements.extract import doc_quotes, find_candidates


@Language.factory(
    "stance_statements",
    requires=["doc._.actors", "token.dep", "token.lemma"],
    assigns=["doc._.statement_candidates", "doc._.quotes"],
    default_config={},
)
def make_statement_finder(nlp: Language, name: str) -> "StatementFinder":
    return StatementFinder()


class StatementFinder:
    def __init__(self) -> None:
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = doc_quotes(doc)
        doc._.statement_candidates = find_candidates(doc, doc._.quotes)
        return doc
