"""Learned attribution: which mention in a sentence holds a statement, with what stance.

Candidates come from every source (gazetteer actors, spaCy entities, open groups outside the
gazetteer, pronouns and definite descriptions resolved by coreference); one encoder pass per
sentence gives each candidate a vector, and a small trained head decides whether it holds a
statement of each stance, is its target, or only reports it.
"""
