"""Out of scope for the crowd: orders, delivery, refunds, returns, payment, invoices, accounts.

Only the brand can answer these, and the answers involve the shopper's own order, so the
thread goes to staff and the asker is told the shop's team will reply. Cues are weighed:
"où est ma commande" alone is enough, "livraison" needs company, and product senses of
delivery-adjacent words ("livré avec une bobine", "comes with a spare spool", "vos
retours sur ce moulinet ?") are blanked out before matching.
"""

from __future__ import annotations

import re

from moderation.personal_data import ADDRESS, CARD, IBAN, ORDER, TRACKING, find_personal_data
from moderation.signals import MessageContext, Signal, noisy_or
from moderation.text import blank, cue_pattern, cue_text, find_cues, normalize, quote
from moderation.thresholds import DEFAULT_THRESHOLDS, Thresholds


def _cues(text: str) -> list[str]:
    return text.replace("\n", "").split("|")


# About the shopper's own order, money or account: enough on its own.
_STRONG = cue_pattern(
    _cues(
        """ou est ma commande|ou en est ma commande|ma commande n est|ma commande est|
        mon colis|suivi de colis|suivi de ma commande|suivi de commande|
        numero de suivi|lien de suivi|pas recu ma|jamais recu|toujours pas recu|pas encore recu|
        n ai pas recu|n avons pas recu|n ai toujours pas recu|pas ete livre*|jamais ete livre*|
        pas arrive*|jamais arrive*|colis perdu|colis abime|colis endommage|
        rembours*|me faire rembourser|avoir sur ma|bon de retour|etiquette de retour|
        retourner l article|retourner le produit|retourner mon|renvo*|
        mauvaise taille|mauvaise couleur|mauvaise reference|mauvais article|mauvais produit|
        mauvais modele|pas la bonne taille|pas la bonne couleur|pas le bon modele|
        pas ce que j ai commande|wrong size|wrong colour|wrong color|wrong item|wrong model|
        wrong product|not what i ordered|returns process|return process|returns policy|
        politique de retour|conditions de retour|adresse de livraison|delivery address|
        shipping address|adresse de facturation|billing address|numero de commande|
        order number|order ref*|order id|order confirmation|confirmation de commande|
        mail de confirmation|en cours d acheminement|en cours de livraison|click and collect|
        click collect|retrait en magasin|retirer en magasin|recuperer en magasin|
        recuperer la commande|pick up in store|collect in store|store pickup|
        faire un retour|faire jouer la garantie|demande de retour|droit de retractation|
        retractation|annuler ma commande|annulation de commande|annuler la commande|
        facture*|carte refusee|carte bancaire refusee|paiement refuse|paiement bloque|
        debite deux fois|preleve deux fois|double prelevement|debite 2 fois|
        mon compte client|mon espace client|mot de passe|me connecter|
        connexion impossible|impossible de me connecter|
        where is my order|where s my order|my parcel|my package|my shipment|
        order status|tracking number|tracking link|track my|tracking info*|
        haven t received|have not received|never received|didn t receive|did not receive|
        hasn t arrived|has not arrived|never arrived|still hasn t arrived|not delivered|
        wasn t delivered|lost parcel|lost package|refund*|money back|return label|
        return my|return the item|return it|return this|send it back|return policy|
        exchange it|invoice*|receipt|warranty claim|claim the warranty|
        card declined|card was declined|payment failed|payment declined|charged twice|
        double charged|charged me twice|password|log in|login|log into|sign in|sign into|
        reset link|payer en plusieurs fois|paiement en plusieurs fois|in instalments|
        in installments|klarna"""
    )
)
# The shopper's own order or account: with any topic word it is a case.
_OWN = cue_pattern(_cues("ma commande|mes commandes|mon compte|my order|my orders|my account"))
# Topic words: need a second cue (or the strong list) to open a case.
_MEDIUM = cue_pattern(
    _cues(
        """livraison*|livrer|livrez|livrons|livre quand|expedi*|envoi|colis|transporteur|
        colissimo|chronopost|mondial relay|relais|la poste|point relais|a domicile|delai|
        delais|retard|en retard|commande|
        commandee|commande le|paiement|payer|paye|paypal|prelev*|debit*|rembourse|retour|
        retours|echange*|garantie|sav|service apres vente|un avoir|bon d achat|
        delivery|deliver|delivered|shipping|shipped|ship it|ship to|ship outside|
        dispatch*|courier|carrier|checkout|panier|caisse|code promo|promo code|paquet|
        acheminement|en transit|in transit|processing|en preparation|ship|frais de port|
        frais de livraison|shipping cost*|delivery charge*|postage|virement|bank transfer|
        wire transfer|cheque|moyen de paiement|moyens de paiement|payment method*|
        apple pay|google pay|carte bancaire|recredit*|credited back|bank account|suivi|
        ou en est|montant|amount charged|prix affiche|price shown|cancel|annuler|
        discount code|code de reduction|reset|reinitialis*|identifiant*|login details|
        ups|dhl|fedex|usps|royal mail|late|delayed|order|ordered|payment|paid|pay|charged|
        billing|return|returns|exchange|warranty|guarantee|account|voucher|store credit"""
    )
)


def _near(first: str, second: str, gap: int = 4) -> str:
    """`first` then `second` (word prefixes) with at most `gap` words between, either order."""
    a = rf"(?:{first})[a-z]*"
    b = rf"(?:{second})[a-z]*"
    between = rf"(?:[\s,;:.!?]+[a-z0-9]+){{0,{gap}}}?[\s,;:.!?]+"
    return rf"{a}{between}{b}|{b}{between}{a}"


# Two topic words close together say more than either: "ma carte a été refusée",
# "payment went through twice", "arrived damaged", "swap the size 10 for an 11".
_NEAR = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(
        (
            _near(
                "carte|card|paiement|payment|cb|visa|mastercard", "refus|declin|rejet|echou|fail"
            ),
            _near("payer|paiement|regler|pay", r"plusieurs\s+fois|\d\s+fois|instal", gap=2),
            _near("paye|payment|paid|charged|debit|preleve", r"twice|deux\s+fois|2\s+fois|double"),
            _near("annul|cancel", "commande|order"),
            _near("echang|swap|exchange", r"taille|size|pointure|contre\s+une?"),
            _near(
                "recu|arrive|received|came|delivered|livre|colis|box|parcel|package",
                "raye|abime|casse|endommage|defectueu|damaged|broken|scratched|faulty|snapped|"
                "cracked|manqu|missing|ouvert",
            ),
            _near("log|sign|connect|connecter", "account|compte|password"),
            _near(
                r"code|coupon|voucher|bon\s+d\s+achat",
                r"marche|fonctionne|work|appl|accept|valid|pris\s+en\s+compte",
            ),
            _near(
                "recu|received|sent|envoye|livre|delivered|got|ordered|commande|went|parti",
                r"mauvais|wrong|pas\s+le\s+bon",
            ),
        )
    )
    + r")(?![a-z])"
)
# Personal data that is itself about an order or payment.
_KIND_WEIGHTS = {ORDER: 0.7, TRACKING: 0.7, IBAN: 0.7, CARD: 0.7, ADDRESS: 0.3}

# Product senses of the same words, blanked before matching.
_PRODUCT_SENSE = re.compile(
    r"(?<![a-z])(?:"
    r"(?:est\s+|sont\s+|il\s+|elle\s+)?(?:livre|livree|livres|livrees|fourni|fournie|"
    r"fournis|vendu|vendue|vendus)\s+(?:avec|sans|en|dans)|"
    r"(?:is\s+|are\s+|it\s+)?(?:delivered|shipped|supplied|sold|provided)\s+(?:with|without|in)|"
    r"comes?\s+with|ships?\s+with|(?:des|vos|tes|les|de|en)\s+retours?\b(?!\s+(?:du|de\s+la|"
    r"d\s+un|produit|article|colis|commande))|retours?\s+(?:d\s+)?experience|"
    r"retour\s+(?:sur|de\s+peche|au\s+bord)|return\s+spring|retour\s+rapide|"
    r"(?:in|into)\s+account|take\s+(?:into\s+)?account|account\s+for|"
    r"line\s+delivery|smooth\s+delivery|commande\s+(?:de\s+)?(?:frein|debrayage)|"
    r"order\s+(?:of|to)\b|in\s+order|same\s+order|pay\s+attention|"
    r"la\s+garantie\s+(?:de\s+)?(?:\d|deux|cinq)|fair\s+return|"
    r"retour\s+du\s+leurre|late\s+(?:season|summer|autumn|fall|evening)|"
    r"(?:recu|recue|received|had|got|get|eu)\s+(?:de|d|aucune|une|des|any|an|a|no)?\s*"
    r"(?:reponses?|retours?|aide|answers?|replies|reply|responses?|help)|"
    r"arrivee?s?\s+a(?=\s)|arrive\s+to|"
    # a question posted in the wrong place: "posé la question sur le mauvais produit",
    # "posted on the wrong product", "trompé de fil"
    r"(?:pose|poste|demande|posted|asked|put)\s+(?:\w+\s+){0,3}?(?:sur|dans|on|under|in)\s+"
    r"(?:le|la|the)\s+(?:mauvais|mauvaise|wrong)\s+(?:produit|article|page|fil|fiche|product|"
    r"item|listing|page|thread)|trompee?\s+de\s+(?:produit|fil|page|fiche|article)"
    r")"
)


def out_of_scope_signal(
    ctx: MessageContext, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Signal | None:
    """An `out_of_scope` signal when the weighed topic cues reach `thresholds.out_of_scope`.

    Only the asker's messages count (a helper saying "I got a refund once" is not a case).
    """
    if not ctx.from_asker:
        return None
    masked = blank(cue_text(ctx.body), _PRODUCT_SENSE)
    taken: list[tuple[int, int]] = []
    near: list[str] = []
    for match in _NEAR.finditer(masked[:2000]):
        taken.append(match.span())
        near.append(quote(normalize(ctx.body), match.start(), match.end()))
    strong = find_cues(_STRONG, ctx.body, masked=masked, taken=taken)[:3]
    own = find_cues(_OWN, ctx.body, masked=masked, taken=taken)[:2]
    medium = find_cues(_MEDIUM, ctx.body, masked=masked, taken=taken)[:3]
    near = near[:2]
    kinds = list(
        dict.fromkeys(f.kind for f in find_personal_data(ctx.body) if f.kind in _KIND_WEIGHTS)
    )
    weights = [0.7] * len(strong + near) + [0.45] * len(own) + [0.3] * len(medium)
    weights += [_KIND_WEIGHTS[kind] for kind in kinds]
    score = noisy_or(weights)
    if score < thresholds.out_of_scope:
        return None
    return Signal("out_of_scope", score, tuple(strong + near + own + medium + kinds))
