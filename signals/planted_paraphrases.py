"""Planted paraphrase groups: the same development told several times in different words, in English
and in French, dropped among a corpus's unrelated rows to measure "same signal" clustering.

The groups were written for this test the way different journalists would report one story: other
headlines, other verbs, synonyms and circumlocutions, few words in common (a group's members share on
average under two content words). They are not used to tune anything but the benchmark's report.

`plant(corpus, seed)` overwrites the name and description of one signals row in a different
document for each member of each group, and returns the corpus and the ground truth ([[{"doc_id", "row"}]],
the shape of synth's ground_truth.json signal_groups, so `pairwise_scores` reads it).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pandas as pd

from signals.corpus_type import Corpus
from signals.semantic import grouping

#: Each group: six (name, description) pairs telling one development.
GROUPS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("Hospitals trial robot nurses", "Several hospitals are testing robots that help nurses on the wards."),
        ("Care robots tested on hospital wards", "Machines that lift and fetch for patients are being piloted in clinics."),
        ("Robotic assistants join nursing staff", "Automated helpers now work shifts alongside human carers."),
        ("Wards welcome mechanical orderlies", "Medical centres bring in autonomous machines to relieve overstretched carers."),
        ("Automation reaches the bedside", "Clinics deploy androids to deliver medicine and monitor inpatients."),
        ("Nursing shortage met with machines", "Health systems turn to robotics to cover gaps in care teams."),
    ),
    (
        ("Farmers fly drones over their fields", "Growers use unmanned aircraft to watch crops and spray pesticide."),
        ("Agricultural drones take off", "Small quadcopters now survey farmland and dose fertiliser from the air."),
        ("Crop spraying goes airborne", "Pilotless craft replace tractors for treating plantations."),
        ("Aerial robots tend the harvest", "UAVs map soil moisture and spot blight across acreage."),
        ("Precision farming from the sky", "Rural producers adopt flying sensors to manage their land."),
        ("Skies above farmland fill with UAVs", "Agronomists rely on remote-piloted aircraft for crop monitoring."),
    ),
    (
        ("Cities plant urban forests to beat heat", "Municipalities add trees to cool streets during heatwaves."),
        ("Tree canopies cool sweltering streets", "Local councils green neighbourhoods to lower summer temperatures."),
        ("Greening boulevards against hot summers", "Town halls expand parks and foliage to shade pavements."),
        ("Shade becomes civic infrastructure", "Metropolitan planners treat woodland as protection from extreme temperatures."),
        ("Leafy districts fight the heat island", "Councils sow groves to bring down soaring thermometer readings downtown."),
        ("Mayors bet on foliage for cooler towns", "Planting saplings along avenues is the new answer to scorching weather."),
    ),
    (
        ("Four-day week spreads among employers", "Firms cut the working week to four days without cutting pay."),
        ("Companies trial shorter working weeks", "Businesses let staff take Fridays off while keeping salaries."),
        ("Long weekends become company policy", "Employers test compressed schedules to retain workers."),
        ("Offices close on Fridays for good", "More businesses give personnel a permanent three-day weekend."),
        ("Reduced hours, same wages", "Corporations experiment with thirty-two-hour contracts."),
        ("The five-day grind loses ground", "Managers find productivity holds when teams work fewer days."),
    ),
    (
        ("Lab-grown meat reaches restaurant menus", "Cultivated chicken made from cells is served to diners."),
        ("Cultured beef goes on sale", "Steak grown in bioreactors arrives in shops."),
        ("Slaughter-free protein hits plates", "Eateries serve burgers produced from animal cells rather than livestock."),
        ("Cell-based burgers win approval", "Regulators clear cultivated meat for public consumption."),
        ("Bioreactor chicken on the table", "Start-ups sell poultry grown in steel vats."),
        ("Meat without animals enters kitchens", "Chefs cook with tissue cultured in laboratories."),
    ),
    (
        ("Heat pumps replace gas boilers", "Households swap fossil heating for electric heat pumps."),
        ("Homes switch to electric heating", "Families rip out furnaces in favour of air-source units."),
        ("Boiler bans push families to new systems", "Residents install devices that draw warmth from outside air."),
        ("Households abandon fossil furnaces", "Owners retrofit dwellings with low-carbon climate control."),
        ("Air-source units sell out", "Demand soars for machines that warm houses using ambient energy."),
        ("Gas heating falls out of favour", "Property owners move to efficient electric alternatives for warmth."),
    ),
    (
        ("Les hôpitaux testent des robots infirmiers", "Plusieurs établissements de santé expérimentent des machines qui assistent le personnel soignant."),
        ("Des automates dans les services de soins", "Les cliniques accueillent des assistants mécaniques pour soulager les aides-soignants."),
        ("La robotique au chevet des malades", "Des androïdes distribuent les médicaments et surveillent les patients hospitalisés."),
        ("Pénurie de soignants : les machines en renfort", "Face au manque d'infirmières, les CHU misent sur l'automatisation."),
        ("Un robot pour épauler les infirmières", "Des engins autonomes portent les plateaux et aident à lever les malades."),
        ("L'hôpital s'équipe d'aides robotisées", "Les centres hospitaliers pilotent des assistants automatisés en gériatrie."),
    ),
    (
        ("Les agriculteurs adoptent les drones", "Des exploitants survolent leurs parcelles pour surveiller les cultures."),
        ("Épandage par les airs dans les champs", "Des appareils sans pilote traitent les vignes et les céréales."),
        ("La ferme connectée prend de la hauteur", "Les paysans cartographient l'humidité du sol depuis le ciel."),
        ("Des quadricoptères au-dessus des récoltes", "Les cultivateurs repèrent les maladies des plantes grâce à l'imagerie aérienne."),
        ("L'agronomie vue du ciel", "Les coopératives agricoles investissent dans les aéronefs télépilotés."),
        ("Les engins volants remplacent le tracteur", "Pulvériser engrais et pesticides se fait désormais en vol."),
    ),
    (
        ("Les villes plantent pour lutter contre la canicule", "Les municipalités multiplient les arbres pour rafraîchir les rues."),
        ("Végétaliser les quartiers face aux vagues de chaleur", "Les mairies créent des îlots de fraîcheur avec des parcs."),
        ("L'ombre des arbres contre les fortes températures", "Les collectivités reboisent les boulevards pour abaisser le thermomètre."),
        ("Des forêts urbaines pour des étés supportables", "Les communes verdissent les places et les cours d'école."),
        ("Îlots de chaleur : la réponse verte des élus", "Les maires misent sur la canopée pour protéger les habitants."),
        ("Le feuillage comme climatiseur municipal", "Les métropoles plantent des bosquets pour atténuer la fournaise estivale."),
    ),
    (
        ("La semaine de quatre jours gagne les entreprises", "Des employeurs réduisent le temps de travail sans baisser les salaires."),
        ("Travailler moins de jours, même paie", "Les sociétés testent le vendredi chômé pour leurs salariés."),
        ("Le week-end de trois jours séduit les patrons", "Des PME compressent les horaires pour fidéliser leurs équipes."),
        ("Fin de la semaine de cinq jours ?", "Les directions constatent que la productivité tient avec moins de journées."),
        ("Les bureaux fermés le vendredi", "Un nombre croissant de firmes accorde un jour de repos supplémentaire."),
        ("Horaires resserrés, rémunération intacte", "Les groupes expérimentent les contrats de trente-deux heures."),
    ),
    (
        ("La viande cultivée arrive au restaurant", "Du poulet produit à partir de cellules est servi aux clients."),
        ("Steak de laboratoire en vente", "Des start-up commercialisent du bœuf élevé en bioréacteur."),
        ("Des protéines sans abattoir dans l'assiette", "Les restaurateurs cuisinent des galettes issues de cellules animales."),
        ("Feu vert pour la chair artificielle", "Les autorités sanitaires autorisent la consommation de viande cellulaire."),
        ("Le poulet sort des cuves", "Des jeunes pousses fabriquent de la volaille dans des fermenteurs."),
        ("Manger de la viande sans élevage", "Les chefs adoptent des tissus cultivés en laboratoire."),
    ),
    (
        ("Les pompes à chaleur remplacent les chaudières", "Les ménages abandonnent le fioul et le gaz pour des systèmes électriques."),
        ("Fin programmée du chauffage au gaz", "Les familles installent des appareils qui puisent la chaleur dans l'air extérieur."),
        ("Rénovation : le chauffage bas carbone s'impose", "Les propriétaires équipent leurs logements de solutions thermodynamiques."),
        ("Les foyers tournent le dos au fioul", "Les particuliers troquent leur vieille chaudière contre un équipement électrique."),
        ("Ruée sur les systèmes aérothermiques", "La demande explose pour les machines qui réchauffent les maisons avec l'énergie ambiante."),
        ("Se chauffer sans combustible fossile", "Les habitants misent sur des alternatives électriques performantes."),
    ),
)


#: A second set in another style, so the clustering is not tuned to one writer: six other
#: developments, each told by three English and three French reports of two sentences, the way a
#: wire story, a trade weekly and a regional paper would (longer, more context, few shared words;
#: a group's members meet across languages or not at all).
MIXED_GROUPS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("Coastal towns turn seawater into drinking water",
         ("Facing dry summers, several seaside municipalities have commissioned desalination plants. "
         "Officials say the units will cover a third of household demand by the end of the decade.")),
        ("Desalination plants multiply along parched shores",
         ("Reverse-osmosis facilities are being built wherever aquifers run low. Critics warn about the "
         "brine pumped back into the sea and the electricity bill.")),
        ("Taps fed by the ocean",
         ("Water utilities in drought-hit regions now filter salt out of sea water to keep supplies "
         "flowing. Engineers expect costs per cubic metre to keep falling.")),
        ("Les communes littorales dessalent l'eau de mer",
         ("Confrontées à des étés de plus en plus secs, des villes côtières se dotent d'usines de "
         "dessalement. Elles devraient couvrir un tiers de la consommation des ménages.")),
        ("L'océan au robinet",
         ("Les régies des eaux des régions touchées par la sécheresse misent sur l'osmose inverse pour "
         "garantir l'approvisionnement. Les associations s'inquiètent des rejets de saumure.")),
        ("Sécheresse : les usines de dessalement se multiplient",
         ("Là où les nappes phréatiques s'épuisent, les collectivités construisent des unités qui retirent "
         "le sel de l'eau marine. Leur consommation d'électricité fait débat.")),
    ),
    (
        ("Orbit clean-up missions get funding",
         ("Space agencies have signed contracts with start-ups that will capture defunct satellites. "
         "The first servicing craft is due to grab a dead spacecraft with a robotic arm next year.")),
        ("Junk in low Earth orbit draws a commercial response",
         ("Companies are designing tugs that tow dead hardware down to burn up in the atmosphere. "
         "Insurers say collisions now threaten the business case of new constellations.")),
        ("Removing wreckage from space becomes an industry",
         ("Investors back firms whose vehicles dock with abandoned rocket stages. Regulators are drafting "
         "rules that would make operators pay for the disposal of their satellites.")),
        ("Débris spatiaux : les missions de nettoyage financées",
         ("Les agences spatiales commandent à de jeunes entreprises des engins capables de capturer des "
         "satellites hors d'usage. Un premier remorqueur doit agripper une épave l'an prochain.")),
        ("L'orbite basse encombrée, un marché pour les dépanneurs",
         ("Des sociétés conçoivent des véhicules qui ramènent les carcasses vers l'atmosphère où elles se "
         "consument. Les assureurs redoutent les collisions avec les nouvelles constellations.")),
        ("Ramasser les épaves au-dessus de nos têtes",
         ("Des investisseurs soutiennent des firmes dont les appareils s'arriment aux étages de fusées "
         "abandonnés. Une réglementation obligerait les opérateurs à payer leur désorbitation.")),
    ),
    (
        ("Tiny plastic fragments found in human blood",
         ("Researchers detected microplastics in samples taken from volunteers. Doctors do not yet know "
         "what the particles do inside the body, but call for limits on single-use packaging.")),
        ("Microscopic polymer debris turns up in our organs",
         ("A new study reports particles shed by bottles and synthetic fabrics in lung and placenta "
         "tissue. Health authorities have commissioned further toxicology work.")),
        ("Scientists trace plastic dust inside patients",
         ("Laboratory analyses show that fragments smaller than a grain of sand reach the bloodstream. "
         "Campaigners want manufacturers to stop adding them to cosmetics.")),
        ("Des microplastiques retrouvés dans le sang humain",
         ("Des chercheurs ont mis en évidence des particules de plastique dans les prélèvements de "
         "volontaires. Leurs effets sur l'organisme restent inconnus.")),
        ("Nos organes contaminés par des fragments de polymères",
         ("Une étude signale des résidus issus des bouteilles et des textiles synthétiques dans les "
         "poumons et le placenta. Les autorités sanitaires lancent de nouvelles analyses.")),
        ("La poussière de plastique jusque dans nos veines",
         ("Des prélèvements montrent que des débris plus petits qu'un grain de sable passent dans la "
         "circulation sanguine. Des ONG réclament leur interdiction dans les cosmétiques.")),
    ),
    (
        ("Electric bikes overtake cars for city commutes",
         ("In several capitals, more workers now reach the office on a battery-assisted bicycle than by "
         "car. Councils are widening cycle lanes to keep up with demand.")),
        ("Pedal-assist cycling booms among office workers",
         ("Sales of motor-assisted bicycles have doubled as employees ditch traffic jams. Employers add "
         "secure parking and charging points to their premises.")),
        ("Battery bicycles reshape the morning rush",
         ("Transport surveys show two-wheelers with small motors replacing second cars in suburbs. "
         "Planners redraw junctions to give them priority.")),
        ("Le vélo électrique détrône la voiture pour aller au travail",
         ("Dans plusieurs grandes villes, les salariés sont désormais plus nombreux à pédaler avec "
         "assistance qu'à prendre le volant. Les pistes cyclables s'élargissent.")),
        ("Les VAE gagnent les trajets domicile-bureau",
         ("Les ventes de bicyclettes à assistance électrique ont doublé. Les entreprises installent des "
         "abris sécurisés et des bornes de recharge pour leurs employés.")),
        ("Pédaler sans effort, la nouvelle façon de se rendre au bureau",
         ("Les enquêtes de mobilité montrent que ces deux-roues remplacent la seconde voiture en "
         "périphérie. Les urbanistes revoient les carrefours pour leur donner la priorité.")),
    ),
    (
        ("Fake videos of candidates flood the campaign",
         ("Election officials report a wave of fabricated clips showing politicians saying things they "
         "never said. Platforms promise labels on synthetic media before polling day.")),
        ("Synthetic footage becomes a weapon in elections",
         ("Doctored recordings generated by software circulate on messaging apps days before the vote. "
         "Fact-checkers struggle to debunk them fast enough.")),
        ("Voters targeted by machine-made impersonations",
         ("Counterfeit audio of party leaders is being spread to depress turnout. Lawmakers want to "
         "criminalise deceptive impersonation during campaigns.")),
        ("Des vidéos truquées de candidats inondent la campagne",
         ("Les autorités électorales signalent une vague de séquences fabriquées prêtant aux responsables "
         "politiques des propos jamais tenus. Les plateformes promettent un étiquetage.")),
        ("Les hypertrucages, nouvelle arme électorale",
         ("Des enregistrements falsifiés par logiciel circulent sur les messageries à quelques jours du "
         "scrutin. Les vérificateurs peinent à les démentir à temps.")),
        ("Fausses voix de chefs de parti pour décourager les électeurs",
         ("Des imitations audio générées par ordinateur sont diffusées pour faire baisser la "
         "participation. Des députés veulent sanctionner ces usurpations.")),
    ),
    (
        ("Pension funds pour money into care homes",
         ("Institutional investors are buying nursing homes as the number of people over eighty grows. "
         "Unions warn that the pursuit of returns could squeeze staffing levels.")),
        ("Ageing population lures investors to elderly care",
         ("Retirement residences and home-help services attract private equity. Analysts expect demand "
         "for assisted living to double within twenty years.")),
        ("The silver economy becomes an asset class",
         ("Fund managers market portfolios of senior housing to savers. Regulators look at fees charged "
         "to residents and their families.")),
        ("Les fonds de pension investissent dans les maisons de retraite",
         ("Les investisseurs institutionnels rachètent des établissements pour personnes âgées dépendantes "
         "à mesure que les plus de quatre-vingts ans se multiplient.")),
        ("Le vieillissement attire les capitaux vers la dépendance",
         ("Résidences seniors et services d'aide à domicile séduisent le capital-investissement. La "
         "demande d'hébergement médicalisé pourrait doubler en vingt ans.")),
        ("La silver économie, nouveau placement financier",
         ("Des gérants proposent aux épargnants des portefeuilles de logements pour retraités. Les "
         "autorités examinent les frais facturés aux résidents.")),
    ),
)


#: Ten groups telling ten different developments (a cross-language model rightly puts GROUPS' English
#: and French tellings of one development together, so planting both would blur precision): five
#: from GROUPS, English and French alternating, and five mixed-language groups from MIXED_GROUPS.
DISTINCT: tuple[tuple[tuple[str, str], ...], ...] = (GROUPS[0], GROUPS[7], GROUPS[2], GROUPS[9], GROUPS[4],
                                                     *MIXED_GROUPS[:5])


#: A third set, in the analysis pipeline's own style (as its Signals tables read: a title-case noun
#: phrase, then one sentence), so the rule is not tuned to the first two: ten other developments
#: (heat pumps, battery recycling, insect feed, subsea cables, AI tutors, hydrogen exports, hospital
#: ransomware, beavers, later retirement, vertical farms), four in English, six with one or two
#: French members. Written after the clustering rule was settled and not used to tune it.
PIPELINE_GROUPS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("Surge in Heat Pump Installations", "Homeowners are swapping gas boilers for electric heat pumps at record rates."),
        ("Decline of Fossil-Fuel Home Heating", "Fewer households choose gas furnaces as air-source systems become the default."),
        ("Electrification of Residential Warmth", "Houses increasingly stay warm with devices that extract energy from outside air."),
        ("Boiler Bans Reshape Domestic Heating", "New building rules push families toward ambient-energy appliances instead of combustion."),
        ("Plumbers Retrain for Thermal Pumps", "Installers learn to fit refrigerant-based units as demand for burners collapses."),
        ("Radiators Powered by the Grid", "Dwellings move off methane, warmed instead by compressor systems running on electricity."),
    ),
    (
        ("Growth of Lithium Battery Recycling", "Companies recover lithium, cobalt and nickel from spent electric-car packs."),
        ("Urban Mining of Used EV Cells", "Discarded automotive accumulators become a source of scarce metals."),
        ("Circular Supply Chain for Cathode Materials", "Refiners extract valuable elements from worn-out power packs to make new ones."),
        ("Second Life for Spent Car Batteries", "Retired traction units are dismantled and their minerals reclaimed."),
        ("Recovery Plants for Exhausted Accumulators", "Factories shred old vehicle packs to salvage cobalt rather than mine it."),
        ("Scrap Packs Feed New Gigafactories", "Reclaimed metals from end-of-life electric vehicles re-enter cell production."),
    ),
    (
        ("Insect Farming for Livestock Feed", "Start-ups breed black soldier fly larvae to replace soy in animal rations."),
        ("Maggots as Sustainable Fodder", "Grubs raised on food waste become protein for poultry and fish farms."),
        ("Bug-Based Nutrition for Aquaculture", "Salmon farmers feed their stock meal made from larvae instead of fishmeal."),
        ("Entomoculture Scales Up", "Vertical facilities rear billions of flies to supply pig and chicken diets."),
        ("Larvae Replace Soybean Imports", "Feed producers substitute crawling creatures for imported beans."),
        ("Six-Legged Protein for Farm Animals", "Arthropods grown on leftovers are turned into pellets for reared animals."),
    ),
    (
        ("Vulnerability of Undersea Internet Cables", "Damage to seabed data lines raises fears of deliberate sabotage."),
        ("Navies Patrol Subsea Communication Links", "Warships guard the fibre routes that carry intercontinental traffic on the ocean floor."),
        ("Sabotage Threat to Seabed Fibre", "Severed transoceanic lines near Scandinavia point to hostile action."),
        ("Hybrid Warfare Targets Ocean-Floor Infrastructure", "Anchors dragged across the Baltic cut connections between countries."),
        ("Protecting the Internet's Underwater Backbone", "Governments fund surveillance of the trunk lines lying on the sea bottom."),
        ("Data Highways Beneath the Waves at Risk", "Intelligence services warn that marine telecom conduits could be cut in a crisis."),
    ),
    (
        ("AI Tutors in Classrooms", "Schools give pupils chatbot assistants that explain homework step by step."),
        ("Personalised Learning Through Chatbots", "Students receive individual coaching from conversational software."),
        ("Algorithmic Teaching Assistants", "Teachers rely on machine-learning helpers to adapt exercises to each child."),
        ("Des assistants virtuels pour les élèves", "Les collèges testent des logiciels conversationnels qui accompagnent les devoirs."),
        ("L'IA entre à l'école", "Les enseignants s'appuient sur des outils intelligents pour personnaliser les exercices."),
        ("Generative Models as Homework Helpers", "Language models coach schoolchildren through maths problems at home."),
    ),
    (
        ("Green Hydrogen Export Hubs", "Sunny countries plan to ship hydrogen made with solar power to industrial buyers."),
        ("Deserts Become Fuel Exporters", "Arid nations build electrolysers fed by photovoltaic farms to sell clean gas abroad."),
        ("Renewable Molecules Traded Across Oceans", "Tankers will carry ammonia produced with wind and sun to European ports."),
        ("Electrolysis Megaprojects in the Gulf", "Oil states invest in splitting water with renewable electricity for export."),
        ("L'hydrogène vert, nouvelle rente", 'Des pays ensoleillés veulent exporter un carburant produit par électrolyse.'),
        ("Clean Ammonia Shipping Routes", "Ports prepare terminals for carbon-free fuel produced in sunlight-rich regions far away."),
    ),
    (
        ("Ransomware Paralyses Hospitals", "Criminal hackers encrypt patient records and demand payment from clinics."),
        ("Cyber Extortion of Health Services", "Medical facilities cancel operations after intruders lock their computer systems."),
        ("Digital Hostage-Taking in Healthcare", "Gangs seize hospital networks and hold data until a ransom is paid."),
        ("Emergency Rooms Offline After Hacks", "Ambulances are diverted as malicious software freezes admissions systems."),
        ("Les hôpitaux cibles des rançongiciels", "Des pirates bloquent les serveurs d'établissements de santé et exigent une rançon."),
        ("Health Data Held for Ransom", "Attackers breach clinic IT and threaten to leak medical files unless paid."),
    ),
    (
        ("Return of Beavers to River Valleys", "Reintroduced beavers build dams that restore wetlands and slow floods."),
        ("Rodent Engineers Restore Wetlands", "Dam-building animals released into streams recreate marshes."),
        ("Nature-Based Flood Defence", "Ecologists let large aquatic mammals reshape watercourses to hold back water."),
        ("Rewilding Brings Back Keystone Species", "Conservationists reinstate long-absent dam builders to revive floodplains."),
        ("Farmers Accept Beaver Colonies", "Landowners tolerate the animals whose lodges and ponds store rainwater."),
        ("Les castors réintroduits contre les crues", "Le retour de ce rongeur bâtisseur recrée des zones humides."),
    ),
    (
        ("Rising Retirement Ages", "Governments push back the age at which workers can claim a pension."),
        ("Working Into One's Seventies", "Older employees stay on the payroll long after traditional pension age."),
        ("Pension Reform Extends Careers", "Lawmakers lengthen contribution periods to keep state schemes solvent."),
        ("End of Early Retirement", "Seniors face longer careers as public finances strain under demographic pressure."),
        ("La retraite repoussée", "Le gouvernement relève l'âge légal de départ pour équilibrer les comptes."),
        ("Grey Workforce Becomes the Norm", "Companies adapt jobs for staff in their late sixties who cannot yet stop working."),
    ),
    (
        ("Indoor Vertical Farms Multiply", "Lettuce is grown under LEDs in stacked trays inside city warehouses."),
        ("Agriculture Moves Into Skyscrapers", "Urban buildings host hydroponic crops without soil or sunlight."),
        ("Climate-Controlled Crop Factories", "Greens sprout on shelves in sealed rooms lit by artificial light."),
        ("Soil-Free Farming Near Consumers", "Growers cultivate herbs in nutrient water a few kilometres from supermarkets."),
        ("Warehouse Harvests Year-Round", "Produce ripens indoors all year under lamps and computer control."),
        ("Les fermes verticales s'installent en ville", 'Des salades poussent sans terre, sous éclairage artificiel, dans des entrepôts.'),
    ),
)



#: A fourth set, written in session 14 before anything was measured with it, to check the rule on a
#: style it was not settled on: groups of 3 to 8 members (not six), sentence-case names, descriptions
#: with figures and places, one group all French and nine mixing English and French (wind-assisted
#: cargo ships, cultured meat, deepfake fraud, Alpine glaciers, post-quantum cryptography, cool roofs,
#: microplastics in the body, rental e-scooter bans, loneliness of the young, satellites reaching
#: phones). Never used for tuning.
NEWSROOM_GROUPS: tuple[tuple[tuple[str, str], ...], ...] = (
    (  # wind-assisted cargo ships, 5, mixed
        ("Cargo ships are putting up sails again", "A bulk carrier crossing the Atlantic cut its fuel bill by a fifth using two rigid wing sails."),
        ("Wind propulsion returns to merchant fleets", "Shipowners retrofit rotor cylinders on tankers to meet the maritime emissions rules coming in 2027."),
        ("Le vent revient dans le transport maritime", "Des armateurs équipent leurs porte-conteneurs de voiles rigides pour économiser du carburant."),
        ("Freight lines harness the breeze", "Kite-like rigs towing vessels across the Pacific trimmed diesel burn on long routes."),
        ("Retour de la voile sur les navires de commerce", "Un cargo roulier a traversé l'océan propulsé en partie par des ailes automatisées."),
    ),
    (  # cultivated meat approvals, 4
        ("Regulators clear cell-cultured chicken", "Singapore and the United States have authorised poultry grown from animal cells in steel tanks."),
        ("Slaughter-free meat reaches restaurant menus", "Diners can now order a fillet produced in a bioreactor rather than on a farm."),
        ("Viande cultivée : premières autorisations de vente", "Des agences sanitaires valident la commercialisation de protéines issues de cultures cellulaires."),
        ("Lab-grown protein wins food safety approval", "Start-ups producing meat from stem cells received the green light to sell to consumers."),
    ),
    (  # deepfake CEO fraud, 7
        ("Deepfake video calls used to rob firms", "A finance clerk wired 25 million dollars after a video meeting with a synthetic chief financial officer."),
        ("Voice-cloning scams hit corporate treasuries", "Criminals imitate executives' voices on the phone to order urgent bank transfers."),
        ("Synthetic impostors fool company staff", "Employees obey instructions from AI-generated likenesses of their bosses."),
        ("La fraude au président passe à l'IA", "Des escrocs utilisent des visages et des voix générés pour ordonner des virements."),
        ("Businesses face AI-powered impersonation", "Fake executives appearing on conference calls trick accountants into paying fraudsters."),
        ("Rise of fabricated executive voices in fraud", "Audio forgeries of managers now feature in a growing share of payment scams."),
        ("Hypertrucages contre les entreprises", "Une multinationale a perdu des millions après une visioconférence avec de faux dirigeants."),
    ),
    (  # Alpine glaciers and ski resorts, 3, French
        ("Les stations de ski face à la fonte des glaciers", "Plusieurs domaines alpins ferment leurs pistes d'altitude faute de glace."),
        ("Recul accéléré des glaciers alpins", "Les glaciers suisses ont perdu 10 % de leur volume en deux étés, menaçant le tourisme de montagne."),
        ("Disparition des neiges éternelles dans les Alpes", "Les guides de haute montagne adaptent leurs itinéraires à des névés qui s'effondrent."),
    ),
    (  # post-quantum cryptography migration, 6
        ("Banks begin swapping out their encryption", "Lenders prepare for computers able to crack today's public-key codes."),
        ("Post-quantum standards published", "NIST finalised lattice-based algorithms meant to resist future quantum attackers."),
        ("Harvest now, decrypt later worries grow", "Intelligence agencies warn that intercepted traffic may be unlocked in a decade."),
        ("Migration vers une cryptographie résistante au quantique", "Les administrations doivent remplacer RSA avant l'arrivée de machines quantiques."),
        ("Governments set deadlines for quantum-safe security", "Agencies must inventory vulnerable cryptographic systems by 2030."),
        ("Telecoms upgrade keys against quantum threat", "Network operators test new key-exchange schemes that qubit machines cannot break."),
    ),
    (  # cool roofs against urban heat, 5
        ("Cities paint rooftops white to beat the heat", "Reflective coatings lower indoor temperatures in poor neighbourhoods by several degrees."),
        ("Reflective surfaces spread in hot metropolises", "Municipal programmes cover tar roofs with pale membranes that bounce sunlight back."),
        ("Des toits clairs contre les îlots de chaleur", "Les villes subventionnent des revêtements blancs pour rafraîchir les logements."),
        ("Urban planners turn to cool pavements", "Light-coloured streets and roofs help districts stay bearable during heatwaves."),
        ("Solar-reflective roofing gains municipal backing", "Ahmedabad and Los Angeles fund bright roof treatments to protect residents from extreme temperatures."),
    ),
    (  # microplastics in human bodies, 4
        ("Microplastics detected in human organs", "Researchers found plastic fragments in placentas, lungs and arteries."),
        ("Des particules de plastique dans le sang humain", "Des chercheurs néerlandais ont mesuré des polymères dans des prélèvements sanguins."),
        ("Plastic debris turns up inside our bodies", "Tiny polymer shards are now routinely identified in tissue samples from patients."),
        ("Link between arterial plaque and plastic particles", "Patients whose blood vessels held synthetic particles had more heart attacks and strokes."),
    ),
    (  # cities banning rental e-scooters, 8
        ("Paris votes to remove rental e-scooters", "Residents backed a ban on shared electric scooters in a local referendum."),
        ("Cities turn against dockless scooters", "Madrid and Prague are ending permits for app-based kick scooter fleets."),
        ("Shared micromobility faces municipal backlash", "Councils cite cluttered pavements and injuries as they revoke operators' licences."),
        ("Fin des trottinettes en libre-service", "Plusieurs métropoles européennes interdisent les engins électriques loués à la minute."),
        ("Scooter operators lose city contracts", "Lime and Tier withdraw from capitals that declined to renew their concessions."),
        ("Urban leaders clamp down on rentable e-scooters", "Street safety complaints push mayors to outlaw pay-per-ride electric boards."),
        ("Les trottinettes partagées bannies des rues", "Après un vote citoyen, la capitale ne renouvelle pas les contrats des opérateurs."),
        ("Curbs on app-rented scooters multiply", "Melbourne and Montreal restrict or end shared electric scooter schemes after accidents."),
    ),
    (  # loneliness among young adults, 5
        ("Young adults report record loneliness", "Surveys find people under 30 feel more isolated than retirees."),
        ("Gen Z's social isolation crisis", "Fewer friendships and less time spent with peers in person worry psychologists."),
        ("La solitude gagne les jeunes générations", "Les 18-25 ans déclarent davantage d'isolement que leurs aînés."),
        ("Disconnected youth despite constant connectivity", "Heavy smartphone users describe lacking anyone to confide in."),
        ("Public health officials warn of an epidemic of solitude", "Chronic isolation among students is linked to depression and poorer health."),
    ),
    (  # satellites connecting ordinary phones, 6
        ("Phones that text straight to satellites", "New handsets send messages from areas with no mobile mast, via low-orbit spacecraft."),
        ("Direct-to-cell connectivity from orbit", "Operators partner with constellation firms so unmodified smartphones can link to space."),
        ("Dead zones shrink as satellites beam to handsets", "Hikers and sailors can reach emergency services far from any tower."),
        ("Le smartphone se connecte à l'espace", "Des opérateurs testent la messagerie par satellite sur des téléphones ordinaires."),
        ("Space-based mobile coverage trials begin", "Carriers run pilots where standard phones hook onto orbiting base stations."),
        ("Starlink and rivals target ordinary mobiles", "Constellations promise basic coverage everywhere on Earth without special equipment."),
    ),
)

#: The planted sets by the name the benchmarks' --pool takes.
POOLS: dict[str, tuple[tuple[tuple[str, str], ...], ...]] = {
    "distinct": DISTINCT, "pipeline": PIPELINE_GROUPS, "newsroom": NEWSROOM_GROUPS,
}

def language_of(group: Sequence[tuple[str, str]]) -> str:
    """A group's language in words: "English", "French" or "English + French"."""
    kinds = {"French" if group_is_french else "English"
             for group_is_french in grouping.french(pd.Series([f"{n} {d}" for n, d in group]))}
    return " + ".join(sorted(kinds))


def plant(
    corpus: Corpus, seed: int = 0, groups: int = 10, section: str = "signals",
    pool: Sequence[Sequence[tuple[str, str]]] | None = None,
) -> tuple[Corpus, list[list[dict]]]:
    """Corpus -> (the corpus with `groups` paraphrase groups written over rows of `section`, each
    member in a different document; the ground truth [[{"doc_id", "row"}, ...], ...]).

    Groups are the first `groups` of `pool` (by default GROUPS, English and French alternating: the
    first ten are 5 + 5); rows are drawn at random with `seed`. The corpus needs a document with
    a row of `section` for each member planted."""
    rng = random.Random(seed)
    chosen = list(pool)[:groups] if pool is not None else [GROUPS[i] for i in _order()[:groups]]
    items = corpus.items.copy()
    in_section = np.flatnonzero(items["section"].astype("str").to_numpy() == section)
    doc_of = items["doc_id"].astype("str").to_numpy()
    first_row_per_doc = pd.Series(in_section).groupby(doc_of[in_section]).first()
    needed = sum(len(group) for group in chosen)
    if len(first_row_per_doc) < needed:
        raise ValueError(f"need {needed} documents with {section} rows, found {len(first_row_per_doc)}")
    picked = rng.sample(list(first_row_per_doc.to_numpy()), needed)
    name = items["name"].astype("object").to_numpy().copy()
    description = items["description"].astype("object").to_numpy().copy()
    label = items["label"].astype("object").to_numpy().copy()
    truth = []
    positions = iter(picked)
    for group in chosen:
        members = []
        for (title, text), position in zip(group, positions):
            name[position], description[position], label[position] = title, text, title
            members.append({"doc_id": str(doc_of[position]), "row": int(items["row"].iloc[position])})
        truth.append(members)
    items["name"] = pd.Series(name, index=items.index).astype(corpus.items["name"].dtype)
    items["description"] = pd.Series(description, index=items.index).astype(corpus.items["description"].dtype)
    items["label"] = pd.Series(label, index=items.index).astype(corpus.items["label"].dtype)
    return corpus.with_frames(items=items), truth


def _order() -> list[int]:
    """Group indices, English and French alternating (6 English groups, then 6 French in GROUPS)."""
    english, french = list(range(6)), list(range(6, 12))
    return [g for pair in zip(english, french) for g in pair]


def recovered(found_members: pd.DataFrame, truth: list[list[dict]], at_least: float = 0.8) -> list[dict]:
    """Clusters' member rows (doc_id, row, cluster_id) + truth -> per planted group, the cluster
    holding most of its members and that cluster's precision (share of its rows from the group) and
    recall (share of the group in it); `recovered` when both reach at_least."""
    cluster_of = {(str(d), int(r)): int(c) for d, r, c in
                  zip(found_members["doc_id"], found_members["row"], found_members["cluster_id"])}
    sizes = found_members["cluster_id"].value_counts()
    report = []
    for group in truth:
        clusters = [cluster_of.get((m["doc_id"], m["row"])) for m in group]
        counted = pd.Series([c for c in clusters if c is not None]).value_counts()
        if counted.empty:
            report.append({"cluster_id": None, "precision": 0.0, "recall": 0.0, "recovered": False})
            continue
        best, hits = int(counted.index[0]), int(counted.iloc[0])
        precision, recall = hits / int(sizes[best]), hits / len(group)
        report.append({"cluster_id": best, "precision": precision, "recall": recall,
                       "recovered": precision >= at_least and recall >= at_least})
    return report
