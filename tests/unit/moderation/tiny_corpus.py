"""A tiny labelled corpus (every class, all three splits) for fast training tests."""

from __future__ import annotations

import json
from pathlib import Path

from moderation.learned import Example, context_from_row

_ROWS = {
    "frustration": [
        "toujours pas de réponse, c'est inadmissible !!!",
        "ça fait 3 jours que j'attends, j'en ai marre",
        "still waiting, this is ridiculous",
        "nobody answers here, so annoying",
        "franchement déçu, personne ne répond",
        "I'm fed up with waiting for an answer",
        "c'est une blague ce service ???",
        "unacceptable, asked twice already",
    ],
    "out_of_scope": [
        "où est ma commande ? pas reçue",
        "je veux être remboursé de mon colis",
        "where is my order, never arrived",
        "I need a refund for my parcel",
        "ma facture est fausse",
        "my invoice shows the wrong amount",
        "colis abîmé à la livraison, que faire ?",
        "I was charged twice for my order",
    ],
    "abuse": [
        "t'es vraiment un connard",
        "espèce d'idiot, relis",
        "you absolute moron",
        "what a clown you are",
        "ferme ta gueule",
        "shut up you idiot",
        "bande de guignols",
        "you're a total muppet",
    ],
    "spam": [
        "gagnez 500 €/jour depuis chez vous, écrivez-moi sur WhatsApp",
        "cheap replica watches at www.cheapwatch.biz",
        "code promo -70% sur mon site www.promo.fr",
        "DM me for crypto signals, guaranteed profit",
        "follow me on instagram for giveaways",
        "visit my shop best price www.deals.example",
        "travail à domicile, revenu passif, contactez moi",
        "earn money from home, link in bio",
    ],
    "personal_data": [
        "mon numéro c'est le 06 39 98 12 34",
        "my email is jane.doe@gmail.com",
        "j'habite au 12 rue des Lilas, 35000 Rennes",
        "call me on 07700 900123",
        "écrivez-moi à paul.martin@orange.fr",
        "my phone is (415) 555-0132",
        "envoyez à 4 avenue Foch, 75016 Paris",
        "mail: kim.lee@yahoo.com",
    ],
    "": [
        "quelle taille pour un 42 ?",
        "does this reel fit a 2.70 m rod?",
        "le leurre nage bien en eau froide ?",
        "is the jacket waterproof?",
        "il existe en bleu ?",
        "how heavy is it?",
        "ça tient combien de temps la batterie ?",
        "does it come with a case?",
        "merci pour la réponse !",
        "great, thanks a lot",
        "c'est compatible avec le modèle 2023 ?",
        "what size for a 10 year old?",
    ],
}


def rows() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    n = 0
    for label, texts in _ROWS.items():
        for i, text in enumerate(texts):
            n += 1
            split = ("train", "train", "train", "validation", "train", "train", "test", "test")
            out.append(
                {
                    "id": f"c{n:04d}",
                    "text": text,
                    "lang": "fr" if any(ch in text for ch in "éàçê") else "en",
                    "labels": [label] if label else [],
                    "split": split[i % len(split)],
                    "asker": True,
                    "context": {"new": True} if label == "spam" else {},
                }
            )
    return out


def write(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows()), encoding="utf-8")
    return path


def examples() -> list[Example]:
    return [
        Example(
            context_from_row(str(r["text"]), str(r["lang"]), True, r["context"]),  # type: ignore[arg-type]
            frozenset(r["labels"]),  # type: ignore[arg-type]
            str(r["split"]),
            id=str(r["id"]),
        )
        for r in rows()
    ]
