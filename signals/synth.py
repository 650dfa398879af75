"""Synthetic corpora of signal documents, for demos, tests and benchmarks. Standard library only.

`write_corpus(out_dir, docs, seed)` writes `docs` markdown documents in the pipeline's format (see the
seed document and docs/format.md): a title line with the page date, an external link, Keywords,
Themes, Other (Category, Type), Summary, then the five GFM tables padded the way the pipeline pads
them, so sizes are realistic (about 8 kB a document, 10,000 documents about 80 MB).

Distributions are meant to look like the real corpus, not to be uniform: themes are Zipf-like over
a few hundred names, categories, types, domains and relevancies are skewed, dates span four years
with volume growing over time. Ordinary signals come from a large combinatorial vocabulary, so two
of them rarely share more than a word or two.

Every document draws from its own `random.Random`, seeded from (seed, index): the output is
byte-identical for the same (docs, seed, planted, variants), and a planted corpus differs from the
plain one only by what was planted.

With `variants=True` some documents use the spellings a loader must tolerate (`VARIANTS`); none of
them produces a parse problem, so benchmarks measure the clean path. With `planted=True` the corpus
also carries known answers for the analyses, written to `ground_truth.json` beside the documents
(not a .md/.txt file, so loaders skip it): emerging themes and groups of paraphrased signals.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import os
import random
import zlib
from collections.abc import Callable
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Corpus shape
# ---------------------------------------------------------------------------------------------
FIRST_DATE = dt.date(2021, 7, 1)
LAST_DATE = dt.date(2025, 6, 30)
#: Planted emerging themes appear only in documents dated in the last this-many days.
EMERGING_WINDOW_DAYS = 183
GROUND_TRUTH_FILE = "ground_truth.json"

#: Real-world spellings a loader must read (each one parses without problems).
VARIANTS = (
    "no_concerns",        # no Concerns section
    "old_signals",        # Signal | Change | 10y horizon | Driving force, no description, no relevancy
    "title_from",         # `# __Title__, from ([20221016](url))`
    "summary_first",      # Summary before Keywords
    "closest",            # a `## Closest` list of links to other documents by doc_id
    "heading_case",       # `##  signals`, `## SIGNALS`, `## Signals ##`
    "dash_bullets",       # `- item`
    "plus_bullets",       # `+ item`
    "crlf",               # CRLF line endings
    "bom",                # a UTF-8 byte-order mark
    "escaped_pipe",       # `\|` inside a cell
    "no_outer_pipes",     # GFM tables without leading and trailing pipes
    "relevancy_float",    # relevancy written `4.0`
    "relevancy_spaced",   # unpadded tables, relevancy written ` 5 `
)
#: Technologies as `description | relevancy | src` (no name), as most of the real corpus has them.
TECH_NO_NAME = "tech_no_name"
TECH_NO_NAME_SHARE = 0.3
#: Share of documents that use one to three of VARIANTS (at least enough to use each once).
VARIANT_SHARE = 0.08
_CONFLICTS = {
    "dash_bullets": "plus_bullets", "plus_bullets": "dash_bullets",
    "relevancy_float": "relevancy_spaced", "relevancy_spaced": "relevancy_float",
}

SECTIONS = ("signals", "concerns", "behaviors", "technologies", "issues")

Progress = Callable[[int, int], None]


def _words(text: str) -> tuple[str, ...]:
    """A block of `;`-separated phrases (which may wrap lines) -> a tuple of them, whitespace collapsed."""
    return tuple(" ".join(p.split()) for p in text.split(";") if p.strip())


# ---------------------------------------------------------------------------------------------
# Vocabulary. Themes are listed most frequent first: their rank sets their Zipf weight.
# ---------------------------------------------------------------------------------------------
THEMES = _words("""
technology; artificial intelligence; AI; sustainability; climate change; privacy; social media;
cybersecurity; education; machine learning; mental health; future of work; automation;
generative AI; energy transition; data privacy; geopolitics; public health; misinformation;
renewable energy; supply chains; urban planning; healthcare innovation; electric vehicles;
AI regulation; remote work; semiconductors; biotechnology; democracy; inequality; China;
space exploration; circular economy; smart cities; surveillance; robotics; agriculture;
food security; biodiversity; cryptocurrency; blockchain; inflation; housing crisis;
aging population; migration; water scarcity; digital identity; open source; autonomous vehicles;
drones; telemedicine; wearables; quantum computing; nuclear energy; hydrogen economy;
carbon capture; climate adaptation; extreme weather; wildfires; ocean health; plastic pollution;
fast fashion; creator economy; gig economy; labor rights; universal basic income; philanthropy;
elections; populism; authoritarianism; censorship; free speech; content moderation;
platform regulation; antitrust; Big Tech; United States; European Union; India; Africa;
Ukraine conflict; Middle East; Taiwan; Arctic; military technology; cyber warfare; arms control;
nuclear proliferation; diplomacy; trade policy; tariffs; globalization; deglobalization;
central banks; interest rates; venture capital; startups; fintech; digital currencies; payments;
e-commerce; retail; advertising; attention economy; video games; virtual reality;
augmented reality; metaverse; streaming; music industry; film industry; publishing; journalism;
libraries; history; archaeology; linguistics; philosophy; ethics; AI ethics; AI safety;
large language models; chatbots; deepfakes; computer vision; recommendation algorithms;
data centers; cloud computing; edge computing; 5G; satellite internet; internet infrastructure;
digital divide; accessibility; disability; neuroscience; longevity; nutrition; obesity;
pharmaceuticals; vaccines; pandemics; long COVID; antimicrobial resistance; loneliness; parenting;
childhood; youth culture; higher education; lifelong learning; skills gap; productivity;
four-day week; management; corporate culture; leadership; innovation policy; research funding;
open science; peer review; scientific publishing; astronomy; physics; materials science;
chemistry; mathematics; cryptography; encryption; passwords; ransomware; fraud; scams;
consumer protection; right to repair; product design; architecture; urban mobility;
public transport; cycling; aviation; shipping; logistics; rail; tourism; sports; wellbeing; sleep;
meditation; psychedelics; drug policy; criminal justice; policing; prisons; immigration policy;
refugees; housing; real estate; construction; 3D printing; manufacturing; reshoring;
critical minerals; mining; oil and gas; energy storage; grid modernization; heat pumps;
building efficiency; farming; vertical farming; alternative proteins; lab-grown meat; food waste;
soil health; forests; rewilding; conservation; animal welfare; pets; insects; pollinators;
climate finance; ESG; green bonds; carbon markets; degrowth; consumerism; minimalism;
second-hand economy; sharing economy; community; civic tech; participatory democracy; open data;
government services; digital public infrastructure; smart grid; water management; desalination;
floods; droughts; heatwaves; urban heat; air pollution; noise pollution; light pollution;
space debris; space industry; Mars; moon missions; satellites; earth observation;
weather forecasting; climate models; science fiction; futures studies; foresight;
speculative design; art; creativity; AI art; copyright; intellectual property; patents;
open hardware; maker culture; DIY biology; citizen science; crowdfunding; social movements;
activism; protests; feminism; gender equality; LGBTQ rights; racial justice; indigenous rights;
religion; spirituality; death and dying; family; dating apps; relationships; friendship;
language learning; translation; search engines; web3; NFTs; stablecoins; banking; insurance;
pensions; tax policy; public debt; economic growth; recession; labor market; wages;
cost of living; energy prices; food prices; Latin America; Southeast Asia; Japan; Russia; Brazil;
Nigeria; Indonesia; mobility as a service; micromobility; ride-hailing; last-mile delivery;
digital health; health data; clinical trials; genomics; gene editing; synthetic biology;
personalized medicine; precision agriculture; aquaculture; fisheries; coral reefs; glaciers;
permafrost; sea level rise; coastal cities; climate migration; environmental justice;
green jobs; reskilling; apprenticeships; workplace surveillance; employee wellbeing;
burnout; hybrid work; coworking; office real estate; suburbs; rural development; small towns
""")

#: Planted emerging themes: never in THEMES, never in any ordinary document.
EMERGING_THEMES = (
    "quantum sensing",
    "agentic AI",
    "orbital data centers",
    "neuromorphic computing",
    "bioacoustic monitoring",
)

ENTITIES = _words("""
OpenAI; Google; Microsoft; Apple; Meta; Amazon; Nvidia; Tesla; TSMC; Samsung; Huawei; Alibaba;
Tencent; ByteDance; TikTok; X; Reddit; Wikipedia; GitHub; Spotify; Netflix; Uber; Airbnb;
SpaceX; NASA; ESA; WHO; UN; IMF; World Bank; OECD; IPCC; European Commission; Federal Reserve;
ECB; Bank of England; USA; China; India; Japan; Germany; France; UK; Brazil; Nigeria; Kenya;
South Korea; North Korea; Ukraine; Russia; Israel; Iran; Saudi Arabia; Indonesia; Mexico; Canada;
Australia; Singapore; Taiwan; Norway; Sweden; Netherlands; Spain; Italy; Poland; Chile; Colombia;
Egypt; South Africa; Ethiopia; Vietnam; Philippines; Bangladesh; Pakistan; Turkey; Greece;
Zürich; Montréal; São Paulo; Lagos; Nairobi; Jakarta; Seoul; Shenzhen; Bengaluru; Berlin; Paris;
London; New York; California; Texas; Silicon Valley; Arctic Council; African Union; ASEAN; NATO;
G7; G20; COP28; COP29; Davos; MIT; Stanford; Oxford; ETH Zurich; CERN; Mozilla; Linux Foundation;
Signal; Telegram; WhatsApp; Bitcoin; Ethereum; ChatGPT; Gemini; Claude; Llama; Midjourney;
Stable Diffusion; Starlink; Neuralink; CRISPR; mRNA; Ozempic; lithium; cobalt; rare earths;
graphene; perovskite; hydrogen; fusion; 6G; Wi-Fi; RISC-V; Arm; Intel; AMD; ASML; Siemens;
Schneider Electric; Ørsted; Vestas; BYD; CATL; Rivian; Waymo; Cruise; Zoox; Boston Dynamics;
DeepMind; Anthropic; Mistral; Hugging Face; Stability AI; Figma; Canva; Shopify; Stripe; Klarna;
Revolut; M-Pesa; Alipay; WeChat; Line; Kakao; Naver; Rakuten; Sony; Nintendo; Valve; Epic Games;
Roblox; Minecraft; Unity; Unreal Engine; Duolingo; Coursera; Khan Academy; edX
""")

CATEGORIES = (
    ("technology", 38), ("science", 14), ("politics", 12), ("economy", 10), ("environment", 9),
    ("society", 8), ("health", 6), ("others", 3),
)
TYPES = (("blog post", 42), ("news", 30), ("research", 12), ("opinion", 10), ("report", 6))
DOMAINS = (
    ("www.theguardian.com", 14), ("www.wired.com", 11), ("www.technologyreview.com", 10),
    ("arstechnica.com", 9), ("www.theverge.com", 8), ("www.nature.com", 7), ("www.bbc.com", 6),
    ("www.reuters.com", 6), ("techcrunch.com", 5), ("www.aljazeera.com", 5), ("www.ft.com", 4),
    ("www.economist.com", 4), ("arxiv.org", 3), ("medium.com", 3), ("futureparty.com", 2),
    ("www.lemonde.fr", 2), ("restofworld.org", 2), ("www.nytimes.com", 2),
)
RELEVANCY_WEIGHTS = ((5, 33), (4, 40), (3, 19), (2, 6), (1, 2))
#: Rows per table section: (count, weight).
ROW_COUNTS = {
    "signals": ((2, 8), (3, 18), (4, 30), (5, 28), (6, 9), (7, 4), (8, 3)),
    "concerns": ((2, 12), (3, 24), (4, 30), (5, 20), (6, 8), (7, 4), (8, 2)),
    "behaviors": ((2, 8), (3, 18), (4, 26), (5, 26), (6, 12), (7, 6), (8, 4)),
    "technologies": ((2, 14), (3, 26), (4, 28), (5, 20), (6, 7), (7, 3), (8, 2)),
    "issues": ((2, 8), (3, 18), (4, 26), (5, 26), (6, 12), (7, 6), (8, 4)),
}

ACTORS = _words("""
startups; city governments; hospitals; farmers; retailers; insurers; universities; regulators;
logistics firms; utilities; independent artists; teachers; small businesses; regional banks;
automakers; game studios; NGOs; open-source communities; researchers; consumers; parents;
employers; labor unions; institutional investors; defense ministries; port authorities;
drug makers; local newsrooms; public libraries; local councils; airlines; shipping lines;
telecom operators; chipmakers; cloud providers; energy traders; housing cooperatives; museums;
sports leagues; secondary schools; police departments; courts; tax authorities; think tanks;
patient groups; influencers; musicians; architects; civil engineers; software developers;
data scientists; gig workers; nurses; mining companies; fishing communities; landlords; tenants;
retirees; students; family offices; pension funds; franchise owners; hotel chains; food banks;
delivery platforms; construction firms; water boards; forest owners; wine growers; bakeries
""")
MODIFIERS = _words("""
decentralized; community-owned; AI-assisted; low-carbon; modular; subscription-based; open;
peer-to-peer; autonomous; hyperlocal; personalized; automated; circular; regenerative; predictive;
remote; portable; biodegradable; crowdsourced; privacy-preserving; real-time; cross-border;
municipal; rural; offshore; underground; floating; wearable; voice-driven; gamified; shared;
on-demand; invisible; low-cost; high-altitude; refurbished; self-repairing; adaptive; hybrid;
distributed; off-grid; sovereign; encrypted; bio-based; sun-powered; algorithmic; collaborative;
immersive; micro; nano-scale; citizen-led; state-backed; tokenized; unbundled; zero-waste;
climate-resilient; heat-tolerant; multilingual; lightweight; cooperative; experimental; informal;
federated; plant-based; reusable; standardized; transparent; verifiable; interoperable;
accessible; nomadic; pay-as-you-go; neighbourhood; amphibious; ultra-fast; passive; foldable
""")
DOMAINS_OF_LIFE = _words("""
water; genomic; mobility; housing; credit; grid; soil; pension; textile; fishery; tourism;
childcare; elder care; freight; parking; heating; cooling; waste; seed; pharmacy; translation;
identity; legal; tax; election; wildfire; flood; noise; lighting; packaging; furniture; bicycle;
ferry; warehouse; classroom; clinic; sleep; nutrition; spice; coffee; cocoa; rice; timber;
cement; steel; copper; sand; biogas; compost; insect-protein; fungal; algae; coral; river;
coastal; mountain; desert; rooftop; sidewalk; tunnel; bridge; harbour; airport; railway; bus;
taxi; scooter; wheelchair; hearing; eyewear; dental; skin; microbiome; blood-testing; fertility;
funeral; wedding; pet; music; theater; podcast; comic; esports; chess; fashion; cosmetics;
perfume; laundry; uniform; mattress; toy; garden; beekeeping; dairy; bakery; brewery; vineyard
""")
HEADS = _words("""
markets; platforms; cooperatives; exchanges; networks; registries; sensors; marketplaces;
subscriptions; standards; labs; microgrids; apps; assistants; kiosks; hubs; trackers; audits;
tokens; licences; insurance pools; repair shops; dashboards; simulations; digital twins;
forecasts; passports; wallets; benchmarks; certifications; corridors; zones; depots; archives;
vaults; auctions; lotteries; guilds; collectives; funds; bonds; contracts; pilots; trials;
mandates; bans; taxes; subsidies; quotas; levies; rebates; rating schemes; leasing models;
sandboxes; observatories; commons; testbeds
""")
SIGNAL_NAME_TEMPLATES = (
    "Rise of {obj}", "Growth in {obj}", "Emergence of {obj}", "{obj} gaining traction",
    "Shift toward {obj}", "Decline of {obj}", "Expansion of {obj}", "Mainstream adoption of {obj}",
    "{obj} as a new norm", "Backlash against {obj}", "Consolidation of {obj}",
    "{actors} embracing {obj}", "Experiments with {obj}", "Regulating {obj}",
)
VERBS = _words("""
experimenting with; investing in; piloting; scaling up; lobbying for; building; funding; adopting;
standardizing; testing; rolling out; resisting; repurposing; co-designing; licensing; auditing;
outsourcing; insuring; subsidizing; benchmarking
""")
GOALS = _words("""
cut operating costs; reduce emissions; reach underserved communities; comply with new rules;
build local resilience; capture new revenue; protect user privacy; speed up decisions;
reduce dependence on imports; retain skilled workers; lower insurance premiums; win public trust;
avoid supply shortages; meet climate targets; shorten waiting lists; keep prices stable;
attract younger customers; reduce water use; make services more accessible; hedge against
inflation; recover from extreme weather; share scarce equipment; fight fraud;
document provenance; keep data within national borders; improve food safety; cut commuting time;
extend product lifetimes; raise productivity; stay competitive with larger rivals
""")
PLACES = _words("""
Nairobi; Lagos; Jakarta; São Paulo; Rotterdam; Seoul; Texas; Kerala; the Nordics; rural France;
Québec; Chile; Bavaria; Singapore; Mexico City; Manila; Cape Town; Lisbon; Warsaw; Osaka;
Melbourne; Vancouver; Bogotá; Accra; Dhaka; Istanbul; Tallinn; Barcelona; Scotland; Ohio;
Sichuan; Punjab; Morocco; Vietnam; Patagonia; Iceland; Sardinia; the Andes; the Sahel; Bali
""")
OLD_PRACTICES = _words("""
centralized procurement; paper-based processes; annual planning cycles; manual inspection;
one-off purchases; state-run monopolies; informal arrangements; fixed-price contracts;
in-person paperwork; bulk imports; single-supplier deals; cash payments; seasonal hiring;
vendor lock-in; top-down planning; periodic audits; landfill disposal; ownership models;
closed proprietary systems; expert-only decision making; flat-rate pricing; national champions;
long-distance supply chains; disposable products; print advertising; fossil-fuelled backup power
""")
OUTCOMES = _words("""
become standard infrastructure in mid-sized cities; reshape how incumbents compete;
replace much of today's manual work; create new job categories; cut costs by half;
be regulated like utilities; move from pilots to national programmes; shrink to a niche;
be owned mostly by local communities; become a target for cyberattacks; redraw trade routes;
attract large institutional capital; split into rival regional standards;
be bundled into everyday consumer services; change what people expect from public services;
trigger new forms of collective bargaining; make rural regions more attractive;
become a geopolitical bargaining chip; blur the line between producers and consumers
""")
FORCES = _words("""
Rising energy costs; Pressure from regulators; Falling sensor prices; Demographic ageing;
Climate-related losses; Venture funding; Public distrust of incumbents; Cheap cloud computing;
Supply chain disruptions; Labour shortages; Urbanisation; Consumer demand for transparency;
Geopolitical tension; Open-source tooling; Cheaper renewable power; Insurance pressure;
Tighter public budgets; Generational change in values; Advances in machine learning;
Trade restrictions; Extreme weather events; Competition for talent; Rising interest rates;
Growing inequality; Declining trust in institutions; Satellite connectivity; Carbon pricing
""")
RISKS = _words("""
Privacy Risks; Security Gaps; Job Displacement; Unequal Access; Regulatory Lag;
Market Concentration; Data Misuse; Environmental Costs; Loss of Trust; Vendor Lock-in;
Hidden Fees; Algorithmic Bias; Safety Failures; Speculative Bubbles; Greenwashing;
Accountability Gaps; Health Side Effects; Skills Erosion; Fragile Dependencies; Exclusion
""")
HARMS = _words("""
erode public confidence; widen existing inequalities; expose sensitive records; leave small
players behind; lock communities into costly contracts; concentrate power in a few firms;
shift risks onto workers; outpace the ability of regulators to respond; create new points of
failure; undermine local expertise; encourage reckless speculation; hide real environmental costs
""")
BEHAVIOR_TEMPLATES = (
    "{gerund} {obj}", "{obj} among {actors}", "{actors} {verb} {obj}", "Collective {gerund_lower} {obj}",
)
GERUNDS = _words("""
Sharing; Renting; Repairing; Tracking; Pooling; Crowdfunding; Trading; Co-owning; Boycotting;
Swapping; Auditing; Rating; Self-hosting; Bartering; Hacking; Customizing; Subscribing to
""")
TECH_KINDS = _words("""
platform; sensor network; machine-learning model; ledger; robotic system; software toolkit;
satellite service; chip design; data standard; mobile app; simulation engine; biological process
""")
TECH_HEADS = _words("""
Sensors; Platform; Analytics; Ledger; Robotics; Chips; Drones; Models; Toolkit; Marketplace;
Digital Twin; Forecasting; Identity Layer; Sequencing; Coatings; Membranes; Controllers
""")
ISSUE_HEADS = _words("""
Governance of; Financing of; Access to; Ownership of; Standards for; Liability for; Taxation of;
Public Oversight of; Workforce Impacts of; Energy Demand of; Data Rights in; Resilience of
""")
TITLE_TEMPLATES = (
    "How {obj} Could Reshape {place}",
    "{entity} Bets on {obj}",
    "The Rise of {obj} in {place}",
    "{obj}: Hype or Lasting Change?",
    "Why {actors} Are Turning to {obj}",
    "Inside the Push for {obj}",
    "{entity} and the Future of {obj}",
    "What {obj} Mean for {actors}",
    "A Closer Look at {obj} in {place}",
    "{obj} and the New Economics of {theme}",
    # Titles with "from" are real (about 8% of the real corpus) and worth exercising.
    "Lessons from {place} on {obj}",
    "Insights from a Study of {obj}",
)

SUMMARY_TEMPLATES = (
    "{actors_cap} in {place} are {verb} {obj} to {goal}.",
    "The article argues that {obj} could {outcome} within the next decade.",
    "{force} is pushing {actors} toward {obj}, according to the author.",
    "Critics warn about {risk}, particularly for {actors2} who cannot {goal}.",
    "Observers note that {domain} {head} remain fragmented, but {modifier} approaches are gaining ground.",
    "The piece concludes that {actors2} able to {goal2} will shape how {obj2} evolve.",
    "{entity} is cited as an early example, having started {verb} {obj2} in {place2}.",
    "Several interviewees describe a shift away from {old} as costs fall and expectations change.",
)

# ---------------------------------------------------------------------------------------------
# Planted signal groups: the same development, reworded in each document that reports it.
# Concept spellings avoid the ordinary vocabulary so groups do not merge with ordinary signals.
# ---------------------------------------------------------------------------------------------
SIGNAL_GROUPS = (
    # (concept spellings, contexts, what it replaces)
    (("solid-state batteries", "solid-state battery tech", "solid-state battery cells"),
     ("electric vehicles", "EVs", "electric cars"), ("liquid-electrolyte lithium-ion packs",)),
    (("lab-grown diamonds", "laboratory-grown diamonds", "lab-made diamonds"),
     ("the jewellery trade", "engagement rings", "jewellery retail"), ("mined diamonds",)),
    (("heat pump installations", "residential heat pumps", "household heat pumps"),
     ("home heating", "domestic heating", "heating homes"), ("gas boilers",)),
    (("four-day work weeks", "four-day workweek trials", "4-day work weeks"),
     ("office employers", "white-collar firms", "salaried workplaces"), ("five-day schedules",)),
    (("AI coding assistants", "AI pair-programming assistants", "code-writing AI assistants"),
     ("software teams", "programming work", "developer workflows"), ("hand-written boilerplate",)),
    (("vertical farms", "vertical farming operations", "indoor vertical farms"),
     ("urban food production", "leafy greens supply", "city-grown produce"), ("open-field farming",)),
    (("direct-to-phone satellite service", "satellite-to-phone links", "phone-to-satellite connectivity"),
     ("mobile dead zones", "remote coverage", "rural mobile coverage"), ("terrestrial cell towers",)),
    (("GLP-1 weight-loss drugs", "GLP-1 medications", "GLP-1 drugs like semaglutide"),
     ("obesity treatment", "weight management", "treating obesity"), ("diet programmes",)),
    (("voice-cloning scams", "AI voice-clone fraud", "scams using cloned voices"),
     ("phone fraud", "impersonation fraud", "family emergency scams"), ("email phishing",)),
    (("small modular reactors", "small modular nuclear reactors", "modular nuclear reactors (SMRs)"),
     ("baseload power", "data center power", "industrial heat"), ("large nuclear plants",)),
    (("right-to-repair laws", "right-to-repair legislation", "right-to-repair rules"),
     ("phones and tractors", "consumer electronics", "farm equipment"), ("manufacturer-only repair",)),
    (("e-bike adoption", "e-bike uptake", "e-bikes"),
     ("urban commuting", "daily commutes", "short city trips"), ("car commuting",)),
    (("precision fermentation", "precision-fermented proteins", "precision fermentation startups"),
     ("dairy alternatives", "animal-free dairy", "egg and milk proteins"), ("livestock farming",)),
    (("humanoid robots", "humanoid robot deployments", "humanoid robotics"),
     ("factory floors", "warehouse work", "assembly lines"), ("fixed industrial arms",)),
    (("carbon removal credits", "carbon-removal credit purchases", "credits for carbon removal"),
     ("corporate net-zero pledges", "net-zero strategies", "climate pledges"), ("avoidance offsets",)),
    (("digital nomad visas", "nomad visa programmes", "visas for digital nomads"),
     ("remote professionals", "location-independent workers", "remote workers abroad"),
     ("tourist visa overstays",)),
    (("microplastics in human blood", "microplastic particles in blood", "blood-borne microplastics"),
     ("human health", "medical research", "toxicology studies"), ("assumed harmless exposure",)),
    (("ransomware attacks on hospitals", "hospital ransomware incidents", "ransomware hitting hospitals"),
     ("patient care", "emergency departments", "clinical systems"), ("isolated IT outages",)),
    (("central bank digital currencies", "CBDC pilots", "central-bank digital money"),
     ("retail payments", "everyday payments", "cross-border settlement"), ("cash and card rails",)),
    (("agrivoltaic farms", "agrivoltaic installations", "agrivoltaic solar arrays"),
     ("farmland", "crop fields", "grazing land"), ("ground-mounted solar parks",)),
)
GROUP_NAME_TEMPLATES = (
    "Rise of {c}", "{c} on the rise", "Growing adoption of {c}", "{c} gaining momentum",
    "Rapid uptake of {c}", "Surge in {c}", "Mainstreaming of {c}", "{c} going mainstream",
    "Boom in {c}",
)
GROUP_DESCRIPTION_TEMPLATES = (
    "More and more {actors} are turning to {c} for {x}.",
    "Adoption of {c} in {x} is accelerating as {actors} invest.",
    "{c_cap} are spreading quickly across {x}, led by {actors}.",
    "{actors_cap} report fast growth in {c} for {x}.",
    "Demand for {c} in {x} keeps climbing, with {actors} leading the way.",
)
GROUP_CHANGE_TEMPLATES = (
    "Shift from {old} to {c} in {x}.",
    "Moving away from {old} toward {c}.",
    "{c_cap} replacing {old} for {x}.",
)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
_SMALL_WORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "for", "to", "and", "or", "as", "at", "by", "with", "from", "into",
    "vs", "is", "are",
})


def _title_word(word: str) -> str:
    """One word (not the first) of a title: small words stay lower case, hyphen parts capitalized."""
    cased = _TITLE_WORDS.get(word)
    if cased is None:
        if word in _SMALL_WORDS:
            cased = word
        else:
            cased = "-".join(
                part if j and part in _SMALL_WORDS else part[:1].upper() + part[1:]
                for j, part in enumerate(word.split("-"))
            )
        _TITLE_WORDS[word] = cased
    return cased


_TITLE_WORDS: dict[str, str] = {}


def _title_case(text: str) -> str:
    """`rise of solid-state batteries` -> `Rise of Solid-State Batteries` (acronyms untouched)."""
    words = text.split(" ")
    first = _title_word(words[0])
    return " ".join([first[:1].upper() + first[1:], *map(_title_word, words[1:])])


def _pick(rng: random.Random, options: tuple | list):
    """rng.choice, about twice as fast (one C call); fine for these short sequences."""
    return options[int(rng.random() * len(options))]


def _article(word: str) -> str:
    return "An" if word[:1].lower() in "aeiou" else "A"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Weighted:
    """Draw from (value, weight) pairs quickly with one random() and a bisect."""

    def __init__(self, pairs) -> None:
        pairs = list(pairs)
        self.values = [v for v, _ in pairs]
        self.cumulative = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]

    def distinct(self, rng: random.Random, k: int) -> list:
        """k distinct values (fewer if there are fewer), drawn by weight."""
        k = min(k, len(self.values))
        chosen: list = []
        while len(chosen) < k:
            value = self.draw(rng)
            if value not in chosen:
                chosen.append(value)
        return chosen


# Zipf-Mandelbrot weights 1/(rank + 4) over THEMES as listed: a handful of generic themes in a
# quarter of the documents or so, a long tail in a few each.
_THEME_DRAW = _Weighted((t, 1.0 / (rank + 4)) for rank, t in enumerate(THEMES))
_ENTITY_DRAW = _Weighted((e, 1.0 / (rank + 1) ** 0.6) for rank, e in enumerate(ENTITIES))
_CATEGORY_DRAW = _Weighted(CATEGORIES)
_TYPE_DRAW = _Weighted(TYPES)
_DOMAIN_DRAW = _Weighted(DOMAINS)
_RELEVANCY_DRAW = _Weighted(RELEVANCY_WEIGHTS)
_ROW_COUNT_DRAW = {section: _Weighted(pairs) for section, pairs in ROW_COUNTS.items()}


def _rng(seed: int, stream: str, index: int) -> random.Random:
    """An independent generator per (seed, purpose, document): documents do not depend on each other."""
    return random.Random(f"{seed}/{stream}/{index}")


def _object(rng: random.Random) -> str:
    """A noun phrase from the combinatorial vocabulary: `modular soil registries`."""
    return f"{_pick(rng, MODIFIERS)} {_pick(rng, DOMAINS_OF_LIFE)} {_pick(rng, HEADS)}"


# ---------------------------------------------------------------------------------------------
# Table rendering, padded as the pipeline (pandas.to_markdown / tabulate) pads
# ---------------------------------------------------------------------------------------------
def _table(headers: list[str], rows: list[list[str]], right_at: int | None, style: str) -> list[str]:
    """Header + rows -> GFM table lines. style: `aligned` (the pipeline's), `no_outer` or `compact`.

    Column `right_at` (relevancy, when there is one) is right-aligned, as tabulate aligns numbers.
    """
    count = len(headers)
    right = [i == right_at for i in range(count)]
    if style == "compact":
        delimiter = "|" + "|".join("---:" if r else "---" for r in right) + "|"
        lines = ["|" + "|".join(headers) + "|", delimiter]
        lines.extend("|" + "|".join(row) + "|" for row in rows)
        return lines
    widths = []
    for i, header in enumerate(headers):
        # tabulate gives numeric columns two extra characters of header padding.
        width = len(header) + (2 if right[i] else 0)
        for row in rows:
            width = max(width, len(row[i]))
        widths.append(width)

    def line(cells: list[str]) -> str:
        padded = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)]
        if style == "no_outer":
            return " | ".join(padded).rstrip()
        return "| " + " | ".join(padded) + " |"

    parts = ["-" * (w + 1) + ":" if r else ":" + "-" * (w + 1) for w, r in zip(widths, right)]
    if style == "no_outer":
        # Without outer pipes tabulate's outer padding goes too; keep the first cell flush left.
        parts[0] = parts[0][:-1]
        parts[-1] = parts[-1][1:] if right[-1] else parts[-1][:-1]
        delimiter = "|".join(parts)
    else:
        delimiter = "|" + "|".join(parts) + "|"
    return [line(headers), delimiter, *(line(row) for row in rows)]


# ---------------------------------------------------------------------------------------------
# One document
# ---------------------------------------------------------------------------------------------
class _Plan:
    """What pass one decides for a document: where it goes, its date, title and variants."""

    __slots__ = ("date", "doc_id", "emerging", "hex", "index", "path", "planted", "title", "variants")

    def __init__(self, index: int, date: dt.date, hex_id: str) -> None:
        self.index = index
        self.date = date
        self.hex = hex_id
        self.path = f"{date.year}/{index:05d}_{hex_id[:8]}.md"
        self.doc_id = self.path[:-3]
        self.title = ""
        self.variants: list[str] = []
        self.emerging: list[str] = []
        self.planted: list[tuple[int, int]] = []  # (group, member) signal rows to insert


def _make_title(rng: random.Random) -> str:
    template = _pick(rng, TITLE_TEMPLATES)
    return _title_case(template.format(
        obj=_object(rng), place=_pick(rng, PLACES), entity=_ENTITY_DRAW.draw(rng),
        actors=_pick(rng, ACTORS), theme=_THEME_DRAW.draw(rng),
    ))


def _lean(key: str, section: str) -> int:
    """-1 (one pair in five), +1 (two in five) or 0, fixed for a (theme or category, section) pair."""
    return (0, 0, 1, 1, -1)[zlib.crc32(f"{key}/{section}".encode()) % 5]


def _relevancy(rng: random.Random) -> int:
    return _RELEVANCY_DRAW.draw(rng)


def _signal_row(rng: random.Random) -> list[str]:
    obj = _object(rng)
    actors = _pick(rng, ACTORS)
    name = _title_case(_pick(rng, SIGNAL_NAME_TEMPLATES).format(obj=obj, actors=actors))
    goal = _pick(rng, GOALS)
    description = _pick(rng, (
        f"{_cap(actors)} are {_pick(rng, VERBS)} {obj} to {goal}.",
        f"More {actors} are {_pick(rng, VERBS)} {obj}.",
        f"Pilots of {obj} in {_pick(rng, PLACES)} show that {actors} can {goal}.",
        f"{_cap(obj)} are spreading among {actors} who want to {goal}.",
    ))
    old = _pick(rng, OLD_PRACTICES)
    change = _pick(rng, (
        f"Shift from {old} to {obj}.",
        f"Transition from {old} toward {_pick(rng, MODIFIERS)} {_pick(rng, DOMAINS_OF_LIFE)} services.",
        f"Moving away from {old} as {actors} adopt {obj}.",
    ))
    ten_year = _pick(rng, (
        f"In 10 years, {obj} could {_pick(rng, OUTCOMES)}.",
        f"Within a decade, {_pick(rng, DOMAINS_OF_LIFE)} {_pick(rng, HEADS)} may {_pick(rng, OUTCOMES)}.",
        f"By the mid-2030s, {obj} might {_pick(rng, OUTCOMES)}.",
    ))
    force = _pick(rng, FORCES)
    driving = _pick(rng, (
        f"{force} combined with {_pick(rng, FORCES).lower()}.",
        f"{force}, as {_pick(rng, ACTORS)} try to {_pick(rng, GOALS)}.",
    ))
    return [name, description, change, ten_year, driving, str(_relevancy(rng))]


def _group_row(rng: random.Random, group: int, member: int) -> list[str]:
    """Member `member` of planted group `group`: the same development, worded differently each time."""
    concepts, contexts, olds = SIGNAL_GROUPS[group]
    # Offsets per group so that member k of two groups do not share a wording pattern.
    c_name = concepts[(member + group) % len(concepts)]
    c_text = concepts[(member + group + 1) % len(concepts)]
    x = contexts[(member + 2 * group) % len(contexts)]
    actors = _pick(rng, ACTORS)
    fill = {"c": c_text, "c_cap": _cap(c_text), "x": x, "actors": actors, "actors_cap": _cap(actors),
            "old": olds[0]}
    name = _title_case(GROUP_NAME_TEMPLATES[(member + 3 * group) % len(GROUP_NAME_TEMPLATES)].format(c=c_name))
    description = GROUP_DESCRIPTION_TEMPLATES[(member + group) % len(GROUP_DESCRIPTION_TEMPLATES)].format(**fill)
    change = GROUP_CHANGE_TEMPLATES[(member + group) % len(GROUP_CHANGE_TEMPLATES)].format(**fill)
    ten_year = f"In 10 years, {c_text} could {_pick(rng, OUTCOMES)}."
    driving = f"{_pick(rng, FORCES)} and demand from {x}."
    return [name, description, change, ten_year, driving, str(_relevancy(rng))]


def _concern_row(rng: random.Random) -> list[str]:
    risk = _pick(rng, RISKS)
    obj = _object(rng)
    name = f"{risk} in {_title_case(obj)}"
    description = f"{risk.capitalize()} could {_pick(rng, HARMS)} as {obj} spread"
    if rng.random() < 0.3:
        description += f" among {_pick(rng, ACTORS)}"
    elif rng.random() < 0.1:
        description += f", especially where {_pick(rng, ACTORS)} cannot {_pick(rng, GOALS)}"
    return [name, description + ".", str(_relevancy(rng))]


def _behavior_row(rng: random.Random) -> list[str]:
    obj = _object(rng)
    gerund = _pick(rng, GERUNDS)
    actors = _pick(rng, ACTORS)
    name = _title_case(_pick(rng, BEHAVIOR_TEMPLATES).format(
        gerund=gerund, gerund_lower=gerund.lower(), obj=obj, actors=actors, verb=_pick(rng, VERBS)))
    where = f" in {_pick(rng, PLACES)}" if rng.random() < 0.5 else ""
    description = f"{_cap(actors)}{where} are {_pick(rng, VERBS)} {obj} to {_pick(rng, GOALS)}"
    if rng.random() < 0.15:
        description += f", and {_pick(rng, ACTORS)} are starting to follow"
    return [name, description + ".", str(_relevancy(rng))]


def _technology_row(rng: random.Random) -> list[str]:
    modifier, domain = _pick(rng, MODIFIERS), _pick(rng, DOMAINS_OF_LIFE)
    name = _title_case(f"{modifier} {domain} {_pick(rng, TECH_HEADS)}")
    description = f"{_article(modifier)} {modifier} {_pick(rng, TECH_KINDS)} that lets {_pick(rng, ACTORS)} {_pick(rng, GOALS)}"
    if rng.random() < 0.3:
        description += f" by managing {domain} {_pick(rng, HEADS)}"
    description += "."
    return [name, description, str(_relevancy(rng))]


def _issue_row(rng: random.Random) -> list[str]:
    obj = _object(rng)
    name = f"{_pick(rng, ISSUE_HEADS)} {_title_case(obj)}"
    description = f"{_cap(_pick(rng, ACTORS))} and {_pick(rng, ACTORS)} disagree over who should govern {obj}"
    if rng.random() < 0.12:
        description += f", with {_pick(rng, FORCES).lower()} adding urgency"
    return [name, description + ".", str(_relevancy(rng))]


_ROW_MAKERS = {
    "concerns": _concern_row, "behaviors": _behavior_row, "technologies": _technology_row, "issues": _issue_row,
}
_HEADINGS = {
    "keywords": "Keywords", "themes": "Themes", "other": "Other", "summary": "Summary", "closest": "Closest",
    "signals": "Signals", "concerns": "Concerns", "behaviors": "Behaviors", "technologies": "Technologies",
    "issues": "Issues",
}


def _summary(rng: random.Random) -> str:
    count = rng.randint(4, 6)
    fill = {
        "actors": _pick(rng, ACTORS), "actors2": _pick(rng, ACTORS), "place": _pick(rng, PLACES),
        "place2": _pick(rng, PLACES), "verb": _pick(rng, VERBS), "obj": _object(rng), "obj2": _object(rng),
        "goal": _pick(rng, GOALS), "goal2": _pick(rng, GOALS), "outcome": _pick(rng, OUTCOMES),
        "force": _pick(rng, FORCES), "risk": _pick(rng, RISKS).lower(), "domain": _pick(rng, DOMAINS_OF_LIFE),
        "head": _pick(rng, HEADS), "modifier": _pick(rng, MODIFIERS), "entity": _ENTITY_DRAW.draw(rng),
        "old": _pick(rng, OLD_PRACTICES),
    }
    fill["actors_cap"] = _cap(fill["actors"])
    return " ".join(t.format(**fill) for t in rng.sample(SUMMARY_TEMPLATES, count))


def _render(plan: _Plan, seed: int, plans: list[_Plan]) -> tuple[bytes, dict[str, int], list[int]]:
    """A planned document -> (its bytes, rows written per table section, Signals rows of planted rows)."""
    rng = _rng(seed, "doc", plan.index)
    variants = set(plan.variants)
    page_id = plan.date.strftime("%Y%m%d")
    page_url = f"https://example.substack.com/p/{page_id}"

    # Front matter. Every draw below happens whatever the variants, so variants change spelling only.
    themes = _THEME_DRAW.distinct(rng, rng.randint(3, 6))
    # Keywords: some of the themes, some names, some other themes; 4 to 8 of them, no repeats.
    keywords: list[str] = []
    seen: set[str] = set()
    candidates = [*rng.sample(themes, rng.randint(1, 3)), *_ENTITY_DRAW.distinct(rng, rng.randint(2, 4)),
                  *_THEME_DRAW.distinct(rng, 2)]
    while len(keywords) < 8 and (candidates or len(keywords) < 4):
        value = candidates.pop(0) if candidates else _ENTITY_DRAW.draw(rng)
        if value.casefold() not in seen:
            seen.add(value.casefold())
            keywords.append(value)
    category, doc_type = _CATEGORY_DRAW.draw(rng), _TYPE_DRAW.draw(rng)
    domain = _DOMAIN_DRAW.draw(rng)
    slug = "-".join(plan.title.lower().replace(":", "").replace("?", "").replace("'", "").split())
    article_url = _pick(rng, (
        f"https://{domain}/{plan.date:%Y/%m/%d}/{slug}",
        f"https://{domain}/{_pick(rng, ('news', 'article', 'story', 'tech', 'science'))}/{slug}",
        f"https://{domain}/{slug}?utm_medium=newsletter&_bhlid={rng.getrandbits(160):040x}",
    ))
    summary = _summary(rng)

    # Tables.
    signal_rows = [_signal_row(rng) for _ in range(_ROW_COUNT_DRAW["signals"].draw(rng))]
    section_rows = {"signals": signal_rows}
    for section in ("concerns", "behaviors", "technologies", "issues"):
        maker = _ROW_MAKERS[section]
        section_rows[section] = [maker(rng) for _ in range(_ROW_COUNT_DRAW[section].draw(rng))]
    # Relevancy leans by lead theme, category and section (a stable hash, no draw, so the rest of
    # the document is unchanged): demo heatmaps then show contrast, as real corpora do.
    for section, rows in section_rows.items():
        lean = _lean(themes[0], section) + _lean(category, section)
        for row in rows:
            row[-1] = str(min(5, max(1, int(row[-1]) + lean)))
    escaped_at = rng.randrange(len(section_rows["issues"]))
    if "escaped_pipe" in variants:
        target = section_rows["issues"][escaped_at]
        target[1] = target[1][:-1] + r" (who pays \| who decides)."
    closest = rng.sample(range(len(plans) - 1), min(len(plans) - 1, rng.randint(3, 5))) if len(plans) > 1 else []
    heading_style = _pick(rng, ("lower", "upper", "closing"))

    # What was planted comes last and from its own generator: the rest of the document is the same
    # bytes with planted=False.
    planted_rows: list[list[str]] = []
    if plan.emerging or plan.planted:
        plant_rng = _rng(seed, "plant", plan.index)
        for theme in plan.emerging:
            themes.insert(plant_rng.randint(0, len(themes)), theme)
        for group, member in plan.planted:
            row = _group_row(plant_rng, group, member)
            signal_rows.insert(plant_rng.randint(0, len(signal_rows)), row)
            planted_rows.append(row)
    planted_at = [next(i for i, r in enumerate(signal_rows) if r is row) for row in planted_rows]
    bullet = "-" if "dash_bullets" in variants else "+" if "plus_bullets" in variants else "*"

    def heading(section: str) -> str:
        text = _HEADINGS[section]
        if "heading_case" in variants:
            if heading_style == "lower":
                return f"##  {text.lower()}"
            if heading_style == "upper":
                return f"## {text.upper()}"
            return f"## {text} ##"
        return f"## {text}"

    style = "no_outer" if "no_outer_pipes" in variants else "compact" if "relevancy_spaced" in variants else "aligned"

    def relevancy_cell(value: str) -> str:
        if "relevancy_float" in variants:
            return f"{value}.0"
        if "relevancy_spaced" in variants:
            return f" {value} "
        return value

    def rows_for(rows: list[list[str]]) -> list[list[str]]:
        return [[*row[:-1], relevancy_cell(row[-1])] for row in rows]

    blocks: dict[str, list[str]] = {}
    blocks["keywords"] = [heading("keywords"), "", *(f"{bullet} {k}" for k in keywords)]
    blocks["themes"] = [heading("themes"), "", *(f"{bullet} {t}" for t in themes)]
    blocks["other"] = [heading("other"), "", f"{bullet} Category: {category}", f"{bullet} Type: {doc_type}"]
    blocks["summary"] = [heading("summary"), "", summary]
    if "old_signals" in variants:
        old_rows = [[r[0], r[2], r[3], r[4]] for r in signal_rows]
        signals_table = _table(["Signal", "Change", "10y horizon", "Driving force"], old_rows, None, style)
    else:
        signals_table = _table(["name", "description", "change", "10-year", "driving-force", "relevancy"],
                               rows_for(signal_rows), 5, style)
    blocks["signals"] = [heading("signals"), "", *signals_table]
    for section in ("concerns", "behaviors", "issues"):
        blocks[section] = [heading(section), "",
                           *_table(["name", "description", "relevancy"], rows_for(section_rows[section]), 2, style)]
    if TECH_NO_NAME in variants:
        # The real pipeline's Technologies: no name, relevancy before a src column with the page's hash.
        tech_rows = [[r[1], relevancy_cell(r[2]), plan.hex] for r in section_rows["technologies"]]
        tech_table = _table(["description", "relevancy", "src"], tech_rows, 1, style)
    else:
        tech_table = _table(["name", "description", "relevancy"], rows_for(section_rows["technologies"]), 2, style)
    blocks["technologies"] = [heading("technologies"), "", *tech_table]
    if "closest" in variants:
        links = []
        for k, other in enumerate(closest):
            target = plans[other if other < plan.index else other + 1]
            href = f"<{target.doc_id}>" if k % 2 else target.doc_id
            links.append(f"{bullet} [{target.title}]({href})")
        blocks["closest"] = [heading("closest"), "", *links]

    if "title_from" in variants:
        title_line = f"# __{plan.title}__, from ([{page_id}]({page_url}))"
    else:
        title_line = f"# __{plan.title}__, (from page [{page_id}]({page_url}).)"
    lines = [title_line, "", f"__[External link]({article_url})__", "", "", ""]
    order = ["keywords", "themes", "other", "summary"]
    if "summary_first" in variants:
        order = ["summary", "keywords", "themes", "other"]
    order += ["signals"] + ([] if "no_concerns" in variants else ["concerns"])
    order += ["behaviors", "technologies", "issues"] + (["closest"] if "closest" in blocks else [])
    for k, name in enumerate(order):
        if k:
            lines.append("")
        lines.extend(blocks[name])

    newline = "\r\n" if "crlf" in variants else "\n"
    text = newline.join(lines)
    data = text.encode("utf-8")
    if "bom" in variants:
        data = b"\xef\xbb\xbf" + data
    counts = {s: len(section_rows[s]) for s in SECTIONS}
    if "no_concerns" in variants:
        counts["concerns"] = 0
    return data, counts, planted_at


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------
def _plan_corpus(docs: int, seed: int, variants: bool) -> list[_Plan]:
    """Pass one: dates (sorted, volume growing over time), file names, titles and variants."""
    rng = random.Random(f"{seed}/corpus")
    span = (LAST_DATE - FIRST_DATE).days
    # u ** 0.8 puts more documents late in the span: the pipeline's output grew over time.
    offsets = sorted(int(span * rng.random() ** 0.8 + 0.5) for _ in range(docs))
    plans = []
    for index, offset in enumerate(offsets):
        plan = _Plan(index, FIRST_DATE + dt.timedelta(days=offset), f"{rng.getrandbits(128):032x}")
        plan.title = _make_title(_rng(seed, "title", index))
        plans.append(plan)
    if variants and docs:
        for plan in plans:
            if rng.random() < TECH_NO_NAME_SHARE:
                plan.variants.append(TECH_NO_NAME)
        # Enough variant documents to use every variant at least once, even in a small corpus.
        chosen = rng.sample(range(docs), min(docs, max(round(VARIANT_SHARE * docs), (len(VARIANTS) + 1) // 2)))
        order = list(VARIANTS)
        rng.shuffle(order)
        cycle = itertools.cycle(order)
        for index in sorted(chosen):
            plan = plans[index]
            wanted = _pick(rng, (1, 2, 2, 3))
            picked: list[str] = []
            while len(picked) < wanted:
                variant = next(cycle)
                if variant in picked or _CONFLICTS.get(variant) in picked:
                    continue
                picked.append(variant)
            plan.variants.extend(sorted(picked))
    return plans


def _plant(plans: list[_Plan], seed: int) -> dict:
    """Decide the planted emerging themes and signal groups (stored on the plans); return the truth."""
    rng = random.Random(f"{seed}/planted")
    truth: dict = {"emerging_themes": list(EMERGING_THEMES), "signal_groups": []}
    if not plans:
        truth["emerging_from"] = None
        return truth
    cutoff = LAST_DATE - dt.timedelta(days=EMERGING_WINDOW_DAYS)
    truth["emerging_from"] = cutoff.isoformat()
    window = (LAST_DATE - cutoff).days
    for plan in plans:
        if plan.date < cutoff:
            continue
        progress = (plan.date - cutoff).days / window
        for k, theme in enumerate(EMERGING_THEMES):
            # Each theme takes off a little later than the previous one, then grows steeply.
            start = 0.08 * k
            if progress > start and rng.random() < 0.03 + 0.5 * ((progress - start) / (1 - start)) ** 2:
                plan.emerging.append(theme)

    candidates = [p.index for p in plans if "old_signals" not in p.variants]
    n_groups = min(len(SIGNAL_GROUPS), len(plans) // 5)
    if len(candidates) < 3:
        n_groups = 0
    for group in range(n_groups):
        size = min(rng.randint(3, 8), len(candidates))
        # A development is reported over a few months: members come from a window of nearby dates.
        width = min(len(candidates), max(4 * size, len(candidates) // 8))
        start = rng.randrange(len(candidates) - width + 1)
        members = sorted(rng.sample(candidates[start:start + width], size))
        for member, index in enumerate(members):
            plans[index].planted.append((group, member))
        truth["signal_groups"].append(members)
    return truth


def write_corpus(
    out_dir: str | os.PathLike,
    docs: int,
    seed: int = 0,
    planted: bool = False,
    variants: bool = True,
    progress: Progress | None = None,
) -> dict:
    """Write a deterministic synthetic corpus of `docs` documents under out_dir; return a summary.

    Files go to `<out_dir>/<year>/<NNNNN>_<hex>.md` (doc_id = that path without `.md`). Existing
    files are overwritten, others left alone: use a fresh folder. `progress(done, total)` is called
    about every 1% of the documents (at least every 500) and at the end. With planted=True, `<out_dir>/ground_truth.json`
    holds {"emerging_themes": [...], "emerging_from": ISO date, "signal_groups": [[{"doc_id",
    "section": "signals", "row"}, ...], ...]} where row is the 0-based row in the Signals table.

    Returns {"docs": n, "bytes": total bytes written (documents only), "files": [relative paths],
    "rows": {relative path: {section: rows written}}, "variants": {relative path: [variant names]}
    for documents that use any, "ground_truth": the truth dict or None}.
    """
    if docs < 0:
        raise ValueError("docs must be >= 0")
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    plans = _plan_corpus(docs, seed, variants)
    truth = _plant(plans, seed) if planted else None

    made: set[str] = set()
    total = 0
    files: list[str] = []
    rows: dict[str, dict[str, int]] = {}
    used: dict[str, list[str]] = {}
    planted_rows: dict[tuple[int, int], tuple[str, int]] = {}
    step = max(1, min(500, docs // 100 or 1))
    for plan in plans:
        data, counts, planted_at = _render(plan, seed, plans)
        folder = plan.path.split("/", 1)[0]
        if folder not in made:
            (root / folder).mkdir(exist_ok=True)
            made.add(folder)
        # os.open/os.write: a third of the cost of open() for thousands of small files.
        fd = os.open(root / plan.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        total += len(data)
        files.append(plan.path)
        rows[plan.path] = counts
        if plan.variants:
            used[plan.path] = list(plan.variants)
        if plan.planted:
            for (group, member), row in zip(plan.planted, planted_at):
                planted_rows[(group, member)] = (plan.doc_id, row)
        if progress and (plan.index + 1) % step == 0:
            progress(plan.index + 1, docs)
    if progress and docs % step:
        progress(docs, docs)

    if truth is not None:
        groups = []
        for group, members in enumerate(truth["signal_groups"]):
            entries = []
            for member in range(len(members)):
                doc_id, row = planted_rows[(group, member)]
                entries.append({"doc_id": doc_id, "section": "signals", "row": row})
            groups.append(entries)
        truth["signal_groups"] = groups
        with open(root / GROUND_TRUTH_FILE, "w", encoding="utf-8") as handle:
            json.dump(truth, handle, indent=1)
            handle.write("\n")
    return {"docs": docs, "bytes": total, "files": files, "rows": rows, "variants": used, "ground_truth": truth}
