"""The search lexicon: how people write about leg pain, folded onto the words the ontology uses.

This is search configuration, not medical content: it says that "sore", "aching" and "hurts" are all
ways of saying "pain", that "feet" is the plural of "foot", and which words carry no meaning in a
symptom phrase. Whole-phrase lay synonyms ("shin splints", "can't put weight on it") live in the
ontology as `skos:altLabel`, where informaticians edit them.
"""

from __future__ import annotations

#: Words that carry no meaning for matching a symptom phrase.
STOP_WORDS = frozenset(
    """
a an the and or of in on at to for from by with into onto over my me i i'm im it it's its is are am
was were be been being this that these those there their they them he she his her we our you your
when whenever while during as once then than so very really quite bit little lot lots much some
any all also too just only even get gets getting got feel feels feeling felt like seems seem
have has had having do does did doing can could would should will may might
""".split()
)

#: Words that negate what follows; folded onto the single token "not".
NEGATIONS = frozenset(
    "not no never without fail fails failed failing unable inability cannot cant nothing none zero "
    # the negated auxiliaries as people type them without the apostrophe
    "doesnt dont didnt wont isnt arent wasnt werent hasnt havent hadnt couldnt wouldnt shouldnt neednt "
    "aint "
    # spaCy's tokenizer splits those ("isnt" is "is" + "nt")
    "nt".split()
)

#: Contractions expanded before tokenising (after apostrophes are normalised).
CONTRACTIONS = {
    "can't": "can not",
    "won't": "will not",
    "n't": " not",
    "'re": " are",
    "'ve": " have",
    "'ll": " will",
    "'m": " am",
    "'d": " would",
}

#: Lay and inflected word forms -> the word the ontology's labels use (applied before stemming).
SYNONYM_WORDS: dict[str, str] = {
    # travel
    "fly": "flight",
    "flew": "flight",
    "flown": "flight",
    "flying": "flight",
    "flights": "flight",
    "plane": "flight",
    # pain words
    "ache": "pain",
    "aches": "pain",
    "aching": "pain",
    "achy": "pain",
    "hurt": "pain",
    "hurts": "pain",
    "hurting": "pain",
    "sore": "pain",
    "soreness": "pain",
    "painful": "pain",
    "pains": "pain",
    "discomfort": "pain",
    "tender": "pain",
    "tenderness": "pain",
    # relief
    "ease": "relieve",
    "eases": "relieve",
    "eased": "relieve",
    "easing": "relieve",
    "improve": "relieve",
    "improves": "relieve",
    "improved": "relieve",
    "better": "relieve",
    "settle": "relieve",
    "settles": "relieve",
    "settled": "relieve",
    "subside": "relieve",
    "subsides": "relieve",
    # a symptom that resolves goes away (clinical: "resolved after sitting", "resolving within 3 minutes")
    "resolve": "relieve",
    "resolves": "relieve",
    "resolved": "relieve",
    "resolving": "relieve",
    "relief": "relieve",
    "relieved": "relieve",
    "relieves": "relieve",
    "disappears": "relieve",
    "fades": "relieve",
    "lessens": "relieve",
    "lessen": "relieve",
    "vanish": "relieve",
    "vanishes": "relieve",
    "vanished": "relieve",
    # swelling, redness, warmth
    "swollen": "swelling",
    "swell": "swelling",
    "swells": "swelling",
    "puffy": "swelling",
    "puffiness": "swelling",
    "edema": "swelling",
    "oedema": "swelling",
    "bloated": "swelling",
    "swelled": "swelling",
    "swelling": "swelling",
    "puffed": "swelling",
    "ballooned": "swelling",
    "ballooning": "swelling",
    "enlarged": "swelling",
    "red": "redness",
    "reddened": "redness",
    "reddish": "redness",
    "flushed": "redness",
    "erythema": "redness",
    "warm": "warmth",
    "hot": "warmth",
    "heat": "warmth",
    # speed and size
    "quick": "rapid",
    "quickly": "rapid",
    "fast": "rapid",
    "rapidly": "rapid",
    "swiftly": "rapid",
    "shrinking": "shorter",
    "shrinks": "shorter",
    "shrink": "shorter",
    "shorten": "shorter",
    "shortening": "shorter",
    "less": "shorter",
    "reduced": "shorter",
    "decreasing": "shorter",
    "decrease": "shorter",
    "dropping": "shorter",
    # anatomy plurals and lay names
    "feet": "foot",
    "calves": "calf",
    "legs": "leg",
    "limb": "leg",
    "limbs": "leg",
    "thighs": "thigh",
    "knees": "knee",
    "hips": "hip",
    "ankles": "ankle",
    "heels": "heel",
    "shins": "shin",
    "buttocks": "buttock",
    "bum": "buttock",
    "glute": "buttock",
    "glutes": "buttock",
    "inside": "inner",
    "medial": "inner",
    "inward": "inner",
    "underneath": "under",
    "tibia": "shin",
    "soles": "sole",
    # sensations
    "numb": "numbness",
    "tingly": "tingling",
    "tingles": "tingling",
    "tingle": "tingling",
    "prickling": "tingling",
    "weak": "weakness",
    "tired": "fatigue",
    "tire": "fatigue",
    "tires": "fatigue",
    "tiring": "fatigue",
    "exhausted": "fatigue",
    "fatigued": "fatigue",
    "cramps": "cramp",
    "cramping": "cramp",
    "spasm": "cramp",
    "spasms": "cramp",
    "throbs": "throbbing",
    "pulsing": "throbbing",
    "pounding": "throbbing",
    "throb": "throbbing",
    "burns": "burning",
    "burn": "burning",
    "stabbing": "sharp",
    "electric": "electrical",
    "shooting": "shoot",
    "shoots": "shoot",
    "radiates": "radiating",
    "radiate": "radiating",
    # systemic
    "feverish": "fever",
    "temperature": "fever",
    "febrile": "fever",
    "shivering": "chills",
    "shivers": "chills",
    "shivery": "chills",
    "rigors": "chills",
    "chill": "chills",
    # severity and onset
    "suddenly": "sudden",
    "abrupt": "sudden",
    "abruptly": "sudden",
    "intense": "severe",
    "excruciating": "severe",
    "terrible": "severe",
    "agonising": "severe",
    "agonizing": "severe",
    "unbearable": "severe",
    "constantly": "constant",
    "continuous": "constant",
    "nonstop": "constant",
    # activity
    "walks": "walking",
    "walk": "walking",
    "walked": "walking",
    "strolling": "walking",
    "hiking": "walking",
    "exercising": "exercise",
    "running": "exercise",
    "jogging": "exercise",
    "resting": "rest",
    "rested": "rest",
    "sitting": "rest",
    "loading": "load",
    "loaded": "load",
    "stand": "standing",
    "weightbearing": "weight",
    "come": "start",
    "comes": "start",
    "coming": "start",
    "begin": "start",
    "begins": "start",
    "began": "start",
    "starts": "start",
    "started": "start",
    "kicks": "start",
    "onset": "start",
    "set": "predictable",
    "fixed": "predictable",
    "certain": "predictable",
    "same": "predictable",
    "particular": "predictable",
    "consistent": "predictable",
    "predictably": "predictable",
    "morning": "morning",
    "mornings": "morning",
    "wakeup": "morning",
    # sensations said in lay metaphors: electric, tingling, burning, numb, weak, tired, tight
    "zap": "shoot",
    "zaps": "shoot",
    "zapping": "shoot",
    "zing": "shoot",
    "zings": "shoot",
    "zinging": "shoot",
    "jolt": "shoot",
    "jolts": "shoot",
    "jolting": "shoot",
    "jab": "shoot",
    "jabs": "shoot",
    "jabbing": "shoot",
    "lightning": "electrical",
    "buzzing": "tingling",
    "buzzy": "tingling",
    "buzz": "tingling",
    "fizzing": "tingling",
    "fizzy": "tingling",
    "crawling": "tingling",
    "prickly": "tingling",
    "fire": "burning",
    "scalding": "burning",
    "searing": "burning",
    "dead": "numbness",
    "deadened": "numbness",
    "jelly": "weakness",
    "wobbly": "weakness",
    "buckle": "weakness",
    "buckles": "weakness",
    "buckling": "weakness",
    "knackered": "fatigue",
    "weary": "fatigue",
    "drained": "fatigue",
    "crampy": "cramp",
    "cramped": "cramp",
    "seize": "cramp",
    "seizes": "cramp",
    "seizing": "cramp",
    "knot": "cramp",
    "knots": "cramp",
    "knotted": "cramp",
    # size and heat said by comparison with the other side
    "bigger": "swelling",
    "fatter": "swelling",
    "larger": "swelling",
    "thicker": "swelling",
    "carrying": "load",
    "carry": "load",
    "carried": "load",
    "lifting": "load",
    "upped": "increased",
    "upping": "increased",
    "doubled": "increased",
    "doubling": "increased",
    "ramped": "increased",
    "overdid": "overuse",
    "overdo": "overuse",
    "overdoing": "overuse",
    "overdone": "overuse",
    "mileage": "activity",
    "shuffle": "shuffling",
    "shuffles": "shuffling",
    "plod": "slower",
    "plodding": "slower",
    "press": "pressure",
    "presses": "pressure",
    "pressing": "pressure",
    "pressed": "pressure",
    "squeeze": "pressure",
    "squeezing": "pressure",
    "warmer": "warmth",
    "hotter": "warmth",
    # laterality: a named side is one side
    "left": "one",
    "right": "one",
    "lefthand": "one",
    "righthand": "one",
    # the spine, and narrowing (stenosis)
    "spine": "spinal",
    "narrowing": "stenosis",
    "narrowed": "stenosis",
    "narrow": "stenosis",
    # small counts and units of time
    "couple": "few",
    "several": "few",
    "min": "minute",
    "mins": "minute",
    "secs": "second",
    # clinical shorthand
    "pyrexia": "fever",
    "pyrexial": "fever",
    "sob": "breathlessness",
    "dyspnoea": "breathlessness",
    "haemoptysis": "coughing blood",
    "hemoptysis": "coughing blood",
    "r": "one",
    "l": "one",
    "afebrile": "not fever",
    "apyrexial": "not fever",
    "ambulation": "walking",
    "ambulating": "walking",
    "ambulate": "walking",
    "ambulates": "walking",
    "mobilising": "walking",
    "mobilizing": "walking",
    # breath
    "gasping": "breathlessness",
    "winded": "breathlessness",
    "breathless": "breathlessness",
    # the situations of rest: lying, sitting, in bed, at night
    "lying": "rest",
    "lie": "rest",
    "sat": "rest",
    "sit": "rest",
    "sits": "rest",
    "seated": "rest",
    "bed": "rest",
    "bedtime": "rest",
    "night": "rest",
    "nights": "rest",
    "nighttime": "rest",
    "asleep": "rest",
    "sleep": "rest",
    "sleeping": "rest",
    "sofa": "rest",
    "couch": "rest",
    "chair": "rest",
    "armchair": "rest",
    "pause": "rest",
    "pausing": "rest",
    "paused": "rest",
    # help said of a remedy is relief ("resting helps"; "rest doesn't help" is its negation)
    "help": "relieve",
    "helps": "relieve",
    "helped": "relieve",
    # spelling variants
    "disk": "disc",
    "disks": "disc",
    "discs": "disc",
}

#: Phrasal verbs and set phrases that say one thing, by their base words: a phrase of words that carry
#: meaning matches over stop words ("put my feet up"), a phrase that holds stop words matches word for
#: word ("on foot"); every inflection of the first word counts ("went away", "wears off", "standing
#: still", "gives way").
PHRASES: dict[str, str] = {
    # relief
    "go away": "relieve",
    "wear off": "relieve",
    "calm down": "relieve",
    "die down": "relieve",
    "die off": "relieve",
    "let up": "relieve",
    "ease off": "relieve",
    "ease up": "relieve",
    "clear up": "relieve",
    "settle down": "relieve",
    "fade away": "relieve",
    "stop hurting": "relieve",
    "stop aching": "relieve",
    "pass off": "relieve",
    # a pain that "goes" goes away: said with when, if, once, after, off, within or with
    # ("it goes once I pause", "goes if I sit a bit", "went off after a breather"); "goes down my leg", "goes
    # numb" and "I go for walks" are other things
    "go when": "relieve",
    "go whenever": "relieve",
    "go if": "relieve",
    "go once": "relieve",
    "go after": "relieve",
    "go as soon as": "relieve",
    "go off": "relieve",
    "go within": "relieve",
    "go with": "relieve",
    # well again after it ("I stop, and I'm fine again"); "fine on the bike" says no pain, not relief
    "fine again": "relieve",
    "ok again": "relieve",
    "okay again": "relieve",
    "alright again": "relieve",
    "all right again": "relieve",
    "back to normal": "relieve",
    "make no difference": "not relieve",
    "make zero difference": "not relieve",
    # going on with what one was doing ("and we carry on to the park"), not carrying a load
    "carry on": "continue",
    "carry on walking": "walking",
    # breath
    "can not catch breath": "breathlessness",
    "can not breathe": "breathlessness",
    "struggle to breathe": "breathlessness",
    "struggling to breathe": "breathlessness",
    "out of breath": "breathlessness",
    # spreading and returning
    "creep up": "spreading upward",
    "move up": "spreading upward",
    "travel up": "spreading upward",
    "climb up": "spreading upward",
    "spread up": "spreading upward",
    "work way up": "spreading upward",
    "come back": "returns",
    "creep back": "returns",
    "kick back in": "returns",
    # swelling
    "swell up": "swelling",
    "puff up": "swelling",
    "balloon up": "swelling",
    "blow up": "swelling",
    # sensations
    "live wire": "electrical",
    "cotton wool": "numbness",
    "can not feel": "numbness",
    "give way": "weakness",
    "worn out": "fatigue",
    "charley horse": "cramp",
    # the same each time
    "every time": "predictable",
    "every single time": "predictable",
    "each time": "predictable",
    "without fail": "predictable",
    # activity
    "too much": "overuse",
    "burning up": "fever",
    # travel ("flew back from Sydney" is a flight, not back pain; a flight of stairs is stairs)
    "back from": "returning",
    "back home": "returning",
    "flight of stairs": "stairs",
    # walking
    "on foot": "walking",
    "on the move": "walking",
    "out and about": "walking",
    # rest
    "short rest": "few minute rest",
    "brief rest": "few minute rest",
    "quick rest": "few minute rest",
    "short break": "few minute rest",
    "short sit": "few minute rest",
    "stand still": "rest",
    # keeping still is rest, so a label's "sitting still" no longer holds the adverb "still" of
    # "the cramp still goes off when I pause"
    "sit still": "rest",
    "keep still": "rest",
    "lie still": "rest",
    "stay still": "rest",
    "sit down": "rest",
    "lie down": "rest",
    "put feet up": "rest",
    "feet up": "rest",
    "off feet": "rest",
    "take break": "rest",
    "take seat": "rest",
    "stop walking": "rest",
    "stop moving": "rest",
    # a person who stops rests ("it goes when I stop", "I must stop"); a pain that stops is relieved
    # ("never stops" is its negation)
    "i stop": "rest",
    "i stopped": "rest",
    "we stop": "rest",
    "we stopped": "rest",
    "to stop": "rest",
    "i stop walking": "rest",
    "i stopped walking": "rest",
    "to stop walking": "rest",
    "i stop moving": "rest",
    "to stop moving": "rest",
    "stop start": "intermittent",
    "stop and start": "intermittent",
    # places named with "stop"
    "bus stop": "bus",
}

#: Irregular forms of the verbs that begin a phrase (the regular ones are made by rule).
IRREGULAR_VERBS: dict[str, tuple[str, ...]] = {
    "go": ("goes", "went", "gone", "going"),
    "wear": ("wore", "worn"),
    "lie": ("lies", "lay", "lying", "lain"),
    "sit": ("sat", "sitting"),
    "stand": ("stood",),
    "let": ("lets", "letting"),
    "die": ("dies", "died", "dying"),
    "put": ("puts", "putting"),
    "take": ("took", "taken", "taking"),
    "stop": ("stopped", "stopping"),
    "make": ("makes", "made", "making"),
    "give": ("gives", "gave", "given", "giving"),
    "pass": ("passes", "passed", "passing"),
    "swell": ("swelled", "swollen", "swelling"),
    "blow": ("blew", "blown", "blowing"),
    "come": ("comes", "came", "coming"),
    "creep": ("creeps", "crept", "creeping"),
    "travel": ("travels", "travelled", "traveled", "travelling", "traveling"),
    "spread": ("spreads", "spreading"),
    "kick": ("kicks", "kicked", "kicking"),
    "climb": ("climbs", "climbed", "climbing"),
    "move": ("moves", "moved", "moving"),
    "flight": ("flights",),
}

#: Words every text about leg pain implies: a finding's label need not have them said to be read in a
#: text ("no swelling" is about the leg; "pain on walking" is leg pain on walking).
IMPLIED_WORDS = ("leg", "legs")

#: Words a clause says once for the findings of its other comma-separated parts: "my toes throb all
#: day, even on the sofa" is a throbbing pain and pain at rest.
SHARED_WORDS = ("pain",)

#: Words that say which side, not what is wrong: they weigh what the commonest label word does, so
#: "the right shin is warm" is a warm leg that happens to be one, not a one-sided swelling.
LIGHT_WORDS = ("one",)

#: Parts of the body outside the leg (and outside the graph's own signs of a clot in the lungs, such as
#: chest pain): a part of a text that names one is about that place, so there a finding is read only
#: where its words name a site of the leg, or where it is a warning sign ("tingling in my thumb" is
#: not leg tingling; "a puffy knuckle" is not a swollen leg). These words are never corrected as typos
#: of a label's word.
ELSEWHERE_WORDS = frozenset(
    """
head headache headaches migraine scalp hair face forehead eye eyes eyelid ear ears nose nostril lip
lips mouth tongue tooth teeth gum gums jaw cheek throat neck shoulder shoulders arm arms armpit
forearm forearms elbow elbows wrist wrists hand hands palm finger fingers thumb thumbs fingernail
knuckle knuckles breast breasts nipple stomach tummy belly abdomen bowel bladder
""".split()
)
