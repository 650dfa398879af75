"""Words too common to say anything about a selection, in English and French (the corpora's languages).

English: scikit-learn's list. French: written here, because scikit-learn has none and NLTK's would
be downloaded at run time (nothing may be). It holds articles, pronouns, prepositions,
conjunctions and the forms of être / avoir / faire, plus a few words French news copy is full of.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_FRENCH = """
a à afin ai aie aient aies ait alors as au aucun aucune auquel aura aurai auraient aurais aurait
auras aurez auriez aurions aurons auront aussi autre autres aux auxquelles auxquels avaient avais
avait avant avec avez aviez avions avoir avons ayant ayez ayons bon c ça car ce ceci cela celle
celles celui cependant certain certaine certaines certains ces cet cette ceux chaque chez ci comme
comment d dans de dedans dehors depuis des desquelles desquels deux devrait doit donc dont du duquel
durant elle elles en encore entre es est et étaient étais était étant été êtes étiez étions être eu
eue eues eûmes eurent eus eut eux fait faire fais faisait font furent fut j je jusqu jusque l la là
laquelle le lequel les lesquelles lesquels leur leurs lors lorsque lui m ma mais me même mêmes mes
moi moins mon n ne ni nos notre nous on ont or ou où par parce pas peu peut peuvent plus plusieurs
pour pourquoi pourrait qu quand que quel quelle quelles quels qui quoi s sa sans se sera serai
seraient serait seras serez seriez serions serons seront ses si sien sienne soi soient sois soit
sommes son sont sous suis sur t ta te tels tes toi ton tous tout toute toutes très tu un une unes
uns vers via voici voilà vont vos votre vous y selon ainsi afin également déjà après avant contre
"""
FRENCH_STOP_WORDS = frozenset(_FRENCH.split())

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | FRENCH_STOP_WORDS
