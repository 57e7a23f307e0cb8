"""Surveys and their responses: writes (`services`: surveys, rounds, custom questions, invitations,
responses and their ties), reads (`selectors`), forms, the standard questions, organisers, paper
answers, name resolution (`names`: typed names become nodes) and what network mapping tells people."""
