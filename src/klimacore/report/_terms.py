"""The one table of terms: every label of the report in Danish (default) and English.

Labels are looked up by key (:func:`term`); a key missing from the table is a bug and raises,
so no label is ever scattered as a literal string through the renderers.
"""

from __future__ import annotations

from klimacore.errors import MissingLabelError

__all__ = ["LANGUAGES", "TERMS", "term"]

LANGUAGES: tuple[str, ...] = ("da", "en")

TERMS: dict[str, tuple[str, str]] = {
    # titles
    "report_title": ("Årlig klimastatusrapport", "Yearly climate status report"),
    "index_title": ("Klimastatusrapporter", "Climate status reports"),
    "municipality": ("Kommune", "Municipality"),
    "region": ("Region", "Region"),
    "denmark": ("Danmark", "Denmark"),
    "as_of": ("Opgjort pr.", "As of"),
    "generated_by": ("Dannet med", "Generated with"),
    "contents": ("Indhold", "Contents"),
    "sources": ("Datakilder", "Data sources"),
    "caveats": ("Forbehold", "Caveats"),
    "illustrative": ("ILLUSTRATIV", "ILLUSTRATIVE"),
    "illustrative_note": ("Afsnit mærket ILLUSTRATIV bygger på eksempeltal, ikke en vedtaget plan "
                          "eller indberetning.",
                          "Sections marked ILLUSTRATIVE use example figures, not an adopted "
                          "plan or a reported round."),
    "no_input": ("Ikke opgjort", "Not computed"),
    "reports": ("Rapporter", "Reports"),
    # sections (MONITORING.md §B.2)
    "M1": ("Overblik", "Headline"),
    "M2": ("Udledning fordelt på sektorer", "Emissions by sector"),
    "M3": ("Hvorfor ændrede udledningen sig?", "Why did emissions change?"),
    "M4": ("Manko", "Manko (gap to target)"),
    "M5": ("Gennemførelse af handlinger", "Action implementation"),
    "M6": ("Indikatorer", "Indicators"),
    "M7": ("Klimatilpasning og klimahændelser", "Adaptation and climate events"),
    "M8": ("Datagrundlag og aktualitet", "Data freshness and revisions"),
    "N1": ("Samlet ambition: over-opfylder planerne 70 %?",
           "Collective ambition: do the plans over-fulfil 70 %?"),
    "N2": ("Statusfordeling", "Status distribution"),
    "N3": ("Handlingsportefølje", "Action portfolio"),
    "N4": ("Omstillingsindikatorer", "Transition indicators"),
    "N5": ("Sammenhæng med det nationale regnskab", "Consistency with the national inventory"),
    "N6": ("Indberetningsdækning", "Reporting coverage"),
    # plain statements
    "no_plan": ("Der er ikke angivet en klimaplan for {name}; afsnittet kræver planens mål og "
                "handlingsscenarie. Der lånes aldrig tal fra en anden kommune.",
                "No climate plan was given for {name}; this section needs the plan's targets and "
                "action scenario. Figures are never borrowed from another municipality."),
    "no_round": ("Der er ikke angivet en opfølgningsrunde for {name}; afsnittet kræver "
                 "indberettede handlinger, indikatorer og hændelser.",
                 "No monitoring round was given for {name}; this section needs reported "
                 "actions, indicators and events."),
    "no_plans_area": ("Der er ikke angivet klimaplaner for kommunerne i {name}; summen af mål og "
                      "handlingsscenarier kan ikke opgøres.",
                      "No climate plans were given for the municipalities of {name}; the sums of "
                      "targets and action scenarios cannot be computed."),
    "no_rounds_area": ("Der er ikke angivet opfølgningsrunder for kommunerne i {name}.",
                       "No monitoring rounds were given for the municipalities of {name}."),
    "no_national": ("Der er ikke angivet en national opgørelse (fx KF25); residualen kan ikke "
                    "vises.",
                    "No national inventory (e.g. KF25) was given; the residual cannot be shown."),
    "lmdi_note": ("LMDI-I, additiv, én periode {start}→{end} (ikke kædet). Identitet: "
                  "udledning = befolkning × udledning pr. indbygger × sektorandel. Regnskabet "
                  "indeholder ikke energiforbrug, så emissionsfaktor-effekten (forsyningens "
                  "omstilling) kan ikke skilles fra kommunens egen indsats: den ligger i "
                  "intensitetseffekten.",
                  "LMDI-I, additive, single period {start}→{end} (not chained). Identity: "
                  "emissions = population × emissions per inhabitant × sector share. The account "
                  "carries no energy use, so the emission-factor effect (supply decarbonisation) "
                  "cannot be separated from own effort: it is inside the intensity effect."),
    "verdict_rule": ("Regelsæt: klimacore latest_verdicts. Seneste år sammenlignes med referencens "
                     "sti (lineær fra basisåret; vejledende mellem milepæle). Dommen er den "
                     "værste af de kommende milepæle, fremskrevet med tendensen over de seneste "
                     "{window} år; 'i risiko' op til {at_risk} % af basisårets udledning over "
                     "det tilladte.",
                     "Rule set: klimacore latest_verdicts. The latest year is compared with the "
                     "reference's path (linear from its base year; indicative between "
                     "milestones). The verdict is the worst of the future milestones, projected "
                     "by the trend of the last {window} years; 'at risk' up to {at_risk} % of "
                     "base-year emissions above the allowed value."),
    "lmdi_missing": ("Ændringen {start}→{end} kan ikke dekomponeres: en drivkraft mangler "
                     "(fx befolkningstal for et af årene); intet er udfyldt.",
                     "The change {start}→{end} cannot be decomposed: a driver is missing (e.g. "
                     "the population of one of the years); nothing is filled in."),
    "engine_warning": ("Bemærk (fra beregningen): {text}", "Note (from the computation): {text}"),
    "latest_status": ("Seneste år mod sti (vejledende)", "Latest year vs path (indicative)"),
    "verdict": ("Dom (kommende milepæle)", "Verdict (future milestones)"),
    "verdict_year": ("Afgørende milepæl", "Deciding milestone"),
    "reason": ("Begrundelse", "Reason"),
    "not_checked_base": ("ikke kontrolleret: regnskabet har intet tal for basisåret {year}",
                         "not checked: the account has no figure for the base year {year}"),
    "possibly_unreported": ("Nul i regnskabet (muligvis ikke indberettet): {items}",
                            "Zero in the account (possibly not reported): {items}"),
    "gwp_unstated": ("ikke oplyst af kilden", "not stated by the source"),
    "excluded_change": ("Sektorer med negativ udledning holdt uden for dekomponeringen: {value}",
                        "Sectors with negative emissions kept out of the decomposition: {value}"),
    "members": ("Kommuner", "Municipalities"),
    # column labels
    "year": ("År", "Year"),
    "total": ("I alt", "Total"),
    "per_capita": ("Pr. indbygger", "Per inhabitant"),
    "change_vs_base": ("Ændring siden {year}", "Change since {year}"),
    "change_vs_1990": ("Ændring siden 1990", "Change since 1990"),
    "reference": ("Reference", "Reference"),
    "base_year": ("Basisår", "Base year"),
    "allowed": ("Tilladt efter sti", "Allowed on path"),
    "gap": ("Afstand", "Gap"),
    "gap_pct_base": ("Afstand i % af basisår", "Gap, % of base year"),
    "status": ("Status", "Status"),
    "required_rate": ("Krævet tempo", "Pace needed"),
    "achieved_rate": ("Gns. ændring", "Mean change"),
    "unit:% of base/yr": ("% af basisår/år", "% of base/yr"),
    "reference_title": ("{reference}: {title} ({source})", "{reference}: {title} ({source})"),
    "sector": ("Sektor", "Sector"),
    "share": ("Andel", "Share"),
    "prev": ("Forrige år", "Previous year"),
    "latest": ("Seneste år", "Latest year"),
    "cctf_range": ("CCTF-interval 2030 (vs 2019)", "CCTF range 2030 (vs 2019)"),
    "effect": ("Effekt", "Effect"),
    "value": ("Værdi", "Value"),
    "share_of_change": ("Andel af ændringen", "Share of the change"),
    "dataset": ("Datasæt", "Dataset"),
    "years": ("År", "Years"),
    "vintage": ("Version (hentet)", "Vintage (retrieved)"),
    "age_years": ("Alder", "Age"),
    "gwp_metric": ("GWP-metrik", "GWP metric"),
    "attribution": ("Kilde", "Source"),
    "n": ("Antal", "Count"),
    "municipal_sum": ("Sum af kommuner", "Sum of municipalities"),
    "national": ("National opgørelse", "National inventory"),
    "residual": ("Residual", "Residual"),
    "n_members": ("Kommuner i alt", "Municipalities in all"),
    "n_reported": ("Med regnskab for seneste år", "With an account for the latest year"),
    "n_zero_flags": ("Med nul i en sektor (muligvis ikke indberettet)",
                     "With a zero sector (possibly not reported)"),
    "start": ("Start", "Start"),
    "end": ("Slut", "End"),
    # statuses, effects, sectors
    "on track": ("på sporet", "on track"),
    "at risk": ("i risiko", "at risk"),
    "off track": ("ikke på sporet", "off track"),
    "no data": ("ingen data", "no data"),
    "activity": ("Aktivitet (befolkning)", "Activity (population)"),
    "structure": ("Struktur (sektorandele)", "Structure (sector shares)"),
    "intensity": ("Intensitet (udledning pr. indbygger)", "Intensity (emissions per inhabitant)"),
    "emission_factor": ("Emissionsfaktor", "Emission factor"),
    "energi": ("Energi", "Energy"),
    "transport": ("Transport", "Transport"),
    "landbrug": ("Landbrug", "Agriculture"),
    "affald": ("Affald og spildevand", "Waste and wastewater"),
    "industri": ("Industrielle processer", "Industrial processes"),
    # figures
    "fig_F1": ("Udledning {first}–{last} og tilladt sti efter {ref}",
               "Emissions {first}–{last} and the allowed path of {ref}"),
    "fig_F2": ("Udledning pr. sektor {first}–{last}", "Emissions by sector {first}–{last}"),
    "fig_F3": ("Ændring {start}→{end} fordelt på effekter (LMDI)",
               "Change {start}→{end} by effect (LMDI)"),
    "fig_NF1": ("Ændring {start}→{end} pr. kommune, sorteret", "Change {start}→{end} by "
                "municipality, ranked"),
    "alt_F1": ("Linjediagram. Udledningen gik fra {v0} t CO2e i {first} til {v1} t CO2e i "
               "{last}; stien tillader {a1} t CO2e i {last}.",
               "Line chart. Emissions went from {v0} t CO2e in {first} to {v1} t CO2e in {last}; "
               "the path allows {a1} t CO2e in {last}."),
    "alt_F2": ("Stablet søjlediagram af udledningen pr. sektor og år; tallene står i tabellen.",
               "Stacked bar chart of emissions by sector and year; the figures are in the table."),
    "alt_F3": ("Vandfaldsdiagram: fra {v0} t CO2e i {start} over effekterne ({effects}) til {v1} "
               "t CO2e i {end}.",
               "Waterfall chart: from {v0} t CO2e in {start} through the effects ({effects}) to "
               "{v1} t CO2e in {end}."),
    "alt_NF1": ("Vandret søjlediagram af hver kommunes ændring i procent; tallene står i "
                "tabellen over overblikket.",
                "Horizontal bar chart of each municipality's change in per cent; the figures are "
                "in the headline table."),
    "title": ("Titel", "Title"),
    "name": ("Navn", "Name"),
    "cctf_low": ("CCTF 2030, nedre (vs 2019)", "CCTF 2030, lower (vs 2019)"),
    "cctf_high": ("CCTF 2030, øvre (vs 2019)", "CCTF 2030, upper (vs 2019)"),
    "residual_pct": ("Residual i %", "Residual, %"),
    "sector_reference": ("Sektorstatus mod {reference} (lineær sti fra 2019 mod intervallets "
                         "nedre ende i 2030).",
                         "Sector status against {reference} (linear path from 2019 to the "
                         "range's lower end in 2030)."),
    "national_source": ("National opgørelse: {source}", "National inventory: {source}"),
    "unit": ("Enhed", "Unit"),
    "target": ("Mål", "Target"),
    "target_t": ("Målniveau", "Target level"),
    "action_t": ("Handlingsscenarie", "Action scenario"),
    "manko_t": ("Manko", "Manko"),
    "expected_effect": ("Forventet effekt", "Expected effect"),
    "unit:actions": ("handlinger", "actions"),
    "plan_note": ("Fra planen: {title}, version {version}. Manko = handlingsscenarie minus "
                  "målniveau; positiv er en mangel.",
                  "From the plan: {title}, version {version}. Manko = action scenario minus "
                  "target level; positive is a shortfall."),
    "plan_declared": ("Status som angivet i planen; der er ikke angivet en opfølgningsrunde med "
                      "indberettet status.",
                      "Status as declared in the plan; no monitoring round with reported status "
                      "was given."),
    "fig_F6": ("Manko pr. milepæl", "Manko per milestone"),
    "alt_F6": ("Søjlediagram af manko pr. milepæl; tallene står i tabellen.",
               "Bar chart of the manko per milestone; the figures are in the table."),
    "ongoing": ("i gang", "ongoing"),
    "planned": ("planlagt", "planned"),
    "delayed": ("forsinket", "delayed"),
    "completed": ("gennemført", "completed"),
    "cancelled": ("aflyst", "cancelled"),
    # klimacore.monitoring.NATIONAL_CAVEATS, in order (the English text is the engine's own)
    "caveat_0": ("Kommunernes basisår varierer (2017-2020); deres 1990-udledning er "
                 "tilbageregnet, ikke målt (Ea/CONCITO 2024 s. 15).", ""),
    "caveat_1": ("Der findes ingen entydig oversættelse af det nationale 70 %-mål til "
                 "kommunerne (Ea/CONCITO 2024 s. 17).", ""),
    "caveat_2": ("Det danske 70 %-mål gøres op på den nationale FN-opgørelse inkl. LULUCF; summen "
                 "af kommunernes Energi- og CO2-regnskaber er ikke den opgørelse (se residualen "
                 "mod KF25).", ""),
    "caveat_3": ("Energistyrelsen genberegner de kommunale regnskaber bagud ved hver udgivelse; "
                 "tallene gælder for den angivne version.", ""),
    "unit:t CO2e/inhabitant": ("t CO2e/indb.", "t CO2e/inhabitant"),
    "unit:%/yr": ("%/år", "%/yr"),
    "unit:years": ("år", "years"),
    "unit:municipalities": ("kommuner", "municipalities"),
    "figure": ("Figur", "Figure"),
    "skip_to": ("Gå til indhold", "Skip to content"),
    "latest_verdict": ("Status {year} mod {ref}", "Status {year} against {ref}"),
    # monitoring rounds: M5-M7, N1, N3, N4 (MONITORING.md §A.4, §B.2, §B.3)
    "round_note": ("Fra opfølgningsrunden {municipality}/{year}, revision {revision} (tilstand: "
                   "{state}; lukket: {closed}). {note}",
                   "From the monitoring round {municipality}/{year}, revision {revision} (state: "
                   "{state}; closed: {closed}). {note}"),
    "open": ("åben", "open"),
    "closed": ("lukket", "closed"),
    "action_rules": ("Status beregnet pr. {as_of} efter MONITORING.md §A.4.1, første regel der "
                     "passer: sammenlagt; sat i hånden (med begrundelse); gennemført; aflyst / "
                     "uden for rammen; udskudt; forsinket (slutår passeret, milepæl overskredet "
                     "eller en fremdriftsindikator ikke på sporet); forsinket (ikke startet i "
                     "startåret); til tiden (planlægning eller gennemførelse); ikke startet; "
                     "ingen data. Fase og tilstand er fra runden, ikke planens angivne status.",
                     "Status computed as of {as_of} by MONITORING.md §A.4.1, first match wins: "
                     "merged; set by hand (with a reason); completed; cancelled / out of scope; "
                     "postponed; late (end year passed, a milestone overdue or a progress "
                     "indicator off track); late (not started by the start year); on time "
                     "(planning or implementation); not started; no data. Phase and state are "
                     "from the round, not the plan's declared status."),
    "effect_year": ("Forventet effekt = handlingens forventede reduktion i {year} (ellers det "
                    "sidste år i dens profil); t CO2e pr. år.",
                    "Expected effect = the action's expected reduction in {year} (else the last "
                    "year of its profile); t CO2e a year."),
    "round_no_actions": ("Runden indeholder ingen handlinger.",
                         "The round holds no actions."),
    "round_no_indicators": ("Runden indeholder ingen indikatorer.",
                            "The round holds no indicators."),
    "round_no_adaptation": ("Runden indeholder hverken tilpasningshandlinger eller "
                            "klimahændelser.",
                            "The round holds neither adaptation actions nor climate events."),
    "indicator_rules": ("Status efter MONITORING.md §A.4.3: seneste observation mod den lineære "
                        "sti gennem basisår og planens mål; 'i risiko' inden for 5 % af "
                        "afstanden basis→slutmål; 'ingen data' uden observation de seneste 2 år.",
                        "Status by MONITORING.md §A.4.3: the latest observation against the "
                        "linear path through the baseline and the plan's targets; 'at risk' "
                        "within 5 % of the baseline→final-target distance; 'no data' without an "
                        "observation in the last 2 years."),
    "indicator_no_plan": ("Der er ikke angivet en plan: indikatorernes basisår og mål står i "
                          "planen, så status kan ikke beregnes (ingen data).",
                          "No plan was given: the indicators' baselines and targets are in the "
                          "plan, so no status can be computed (no data)."),
    "indicator_no_target": ("Uden mål i planen (ingen status): {items}",
                            "No target in the plan (no status): {items}"),
    "plan_hazards": ("Planens klimafarer: {hazards}; risikovurdering {date}.",
                     "The plan's climate hazards: {hazards}; risk assessment {date}."),
    "no_events": ("Runden melder ingen klimahændelser.", "The round reports no climate events."),
    "rounds_cover": ("Opfølgningsrunder givet for {n} af {of} kommuner: {items}.",
                     "Monitoring rounds given for {n} of {of} municipalities: {items}."),
    "no_transition": ("Runderne indeholder ingen omstillingsindikatorer.",
                      "The rounds hold no transition indicators."),
    "transition_note": ("Summeret kun hvor enheden kan lægges sammen (antal, areal), aldrig "
                        "andele; mål er planernes 2030-værdier. Nationale referenceværdier for "
                        "de 9 omstillingsindikatorer er ikke med i klimacore, så der "
                        "sammenlignes ikke med dem.",
                        "Summed only where the unit adds up (counts, areas), never shares; "
                        "targets are the plans' 2030 values. National reference values for the "
                        "9 transition indicators are not bundled with klimacore, so no "
                        "comparison with them is made."),
    "n1_cover": ("Beregnet over de {n} af {of} kommuner, hvis plan er givet og har 1990, mål og "
                 "handlingsscenarie for 2030 ({items}); Danmark har {all} planer. Svaret "
                 "gælder kun de dækkede planer, ikke alle.",
                 "Computed over the {n} of {of} municipalities whose plan was given and states "
                 "1990, the 2030 target and the 2030 action scenario ({items}); Denmark has "
                 "{all} plans. The answer holds for the covered plans only, not for all."),
    "n1_rule": ("Regel (MONITORING.md §B.3): R = 1 − Σ niveau {year} / Σ udledning 1990, for "
                "mål og handlingsscenarie; over-opfyldt hvis R ≥ 70 %. Manko = Σ "
                "handlingsscenarie − Σ mål.",
                "Rule (MONITORING.md §B.3): R = 1 − Σ level {year} / Σ emissions 1990, for "
                "targets and action scenarios; over-fulfilled if R ≥ 70 %. Manko = Σ action "
                "scenario − Σ targets."),
    "n1_incomplete": ("Planer uden 1990-udledning eller 2030-tal (ikke talt med): {items}",
                      "Plans without 1990 emissions or 2030 figures (not counted): {items}"),
    "nf2_note": ("N-F2 er et flisegitter pr. region, ikke et kort: klimacore har ingen "
                 "kommunegrænser, og koordinater opfindes ikke. Hver flise er en kommune "
                 "(kommunekode), farven dens dom; tallene står i tabellen.",
                 "N-F2 is a tile grid by region, not a map: klimacore bundles no municipal "
                 "boundaries, and no coordinates are invented. Each tile is a municipality (its "
                 "code), its colour the verdict; the figures are in the table."),
    "fig_F4": ("Handlinger efter status: antal og forventet effekt",
               "Actions by status: count and expected effect"),
    "alt_F4": ("Vandret søjlediagram af handlinger efter status (antal, forventet effekt): "
               "{items}.", "Horizontal bar chart of actions by status (count, expected effect): "
               "{items}."),
    "n_actions_head": ("Antal handlinger", "Number of actions"),
    "t_head": ("Forventet effekt (t CO2e)", "Expected effect (t CO2e)"),
    "fig_F5": ("Indikatorer: trafiklys efter niveau og kategori",
               "Indicators: traffic lights by level and category"),
    "alt_F5": ("Gitter af indikatorer efter niveau og kategori med status: {items}.",
               "Grid of indicators by level and category with their status: {items}."),
    "fig_NF2": ("Status pr. kommune mod {ref}, grupperet efter region (flisegitter, ikke kort)",
                "Status by municipality against {ref}, grouped by region (tile grid, not a "
                "map)"),
    "alt_NF2": ("Flisegitter, ikke et kort: én firkant pr. kommune, grupperet efter region, farvet "
                "efter dommen mod {ref}: {counts}. Der er ingen kommunegrænser i klimacore, så "
                "der tegnes ikke et koropletkort.",
                "Tile grid, not a map: one square per municipality, grouped by region, coloured "
                "by the verdict against {ref}: {counts}. klimacore bundles no municipal "
                "boundaries, so no choropleth map is drawn."),
    # column labels (rounds)
    "action": ("Handling", "Action"),
    "kind": ("Type", "Kind"),
    "phase": ("Fase", "Phase"),
    "state": ("Tilstand", "State"),
    "reason_detail": ("Hvilken", "Which"),
    "freshness": ("Seneste indberetning", "Last update"),
    "realised_effect": ("Realiseret effekt", "Realised effect"),
    "n_actions": ("Handlinger", "Actions"),
    "n_active": ("Aktive", "Active"),
    "share_started": ("Startet (gennemførelse/gennemført)", "Started (implementation/completed)"),
    "share_started_incl_planning": ("Startet inkl. planlægning", "Started incl. planning"),
    "share_completed": ("Gennemført", "Completed"),
    "share_late": ("Forsinket (af aktive)", "Late (of active)"),
    "share_reported": ("Indberettet (af aktive)", "Reported (of active)"),
    "expected_started": ("Forventet effekt i startede handlinger",
                         "Expected effect in started actions"),
    "indicator": ("Indikator", "Indicator"),
    "level": ("Niveau", "Level"),
    "category": ("Kategori", "Category"),
    "latest_year": ("Seneste år", "Latest year"),
    "latest_value": ("Seneste værdi", "Latest value"),
    "expected": ("Forventet efter sti", "Expected on path"),
    "target_year": ("Målår", "Target year"),
    "progress_pct": ("Fremdrift", "Progress"),
    "wrong_direction": ("Forkert retning", "Wrong direction"),
    "date": ("Dato", "Date"),
    "hazard": ("Klimafare", "Hazard"),
    "area": ("Område", "Area"),
    "damage_dkk": ("Skade", "Damage"),
    "insured_claims": ("Forsikringsanmeldelser", "Insurance claims"),
    "n_events": ("Hændelser", "Events"),
    "n_damage_unknown": ("Heraf skade ukendt", "Of which damage unknown"),
    "latest_sum": ("Sum, seneste værdi", "Sum, latest value"),
    "target_2030_sum": ("Sum, mål 2030", "Sum, 2030 target"),
    "n_plans": ("Planer talt med", "Plans counted"),
    "sum_1990": ("Σ udledning 1990", "Σ emissions 1990"),
    "sum_target_2030": ("Σ mål 2030", "Σ targets 2030"),
    "sum_action_2030": ("Σ handlingsscenarie 2030", "Σ action scenario 2030"),
    "reduction_target": ("Reduktion efter mål vs 1990", "Reduction by targets vs 1990"),
    "reduction_action": ("Reduktion efter handlinger vs 1990", "Reduction by actions vs 1990"),
    "manko_pp": ("Manko i %-point af 1990", "Manko, pp of 1990"),
    "target_over_fulfils": ("Mål over-opfylder 70 %", "Targets over-fulfil 70 %"),
    "action_over_fulfils": ("Handlinger over-opfylder 70 %", "Actions over-fulfil 70 %"),
    "municipality_col": ("Kommune", "Municipality"),
    "unit:value": ("indikatorens enhed", "indicator's unit"),
    "unit:DKK": ("kr.", "DKK"),
    "unit:claims": ("anmeldelser", "claims"),
    "unit:events": ("hændelser", "events"),
    "unit:pp": ("%-point", "pp"),
    # words in cells
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    "not_started": ("ikke startet", "not started"),
    "planning": ("planlægning", "planning"),
    "implementation": ("gennemførelse", "implementation"),
    "active": ("aktiv", "active"),
    "postponed": ("udskudt", "postponed"),
    "out_of_scope": ("uden for rammen", "out of scope"),
    "out of scope": ("uden for rammen", "out of scope"),
    "merged": ("sammenlagt", "merged"),
    "late": ("forsinket", "late"),
    "on time": ("til tiden", "on time"),
    "not started": ("ikke startet", "not started"),
    "achieved": ("nået", "achieved"),
    "end year passed": ("slutår passeret", "end year passed"),
    "milestone overdue": ("milepæl overskredet", "milestone overdue"),
    "progress indicator off track": ("fremdriftsindikator ikke på sporet",
                                     "progress indicator off track"),
    "not started by start year": ("ikke startet i startåret", "not started by start year"),
    "set by hand (see status_override_reason)": ("sat i hånden (se begrundelsen)",
                                                 "set by hand (see the reason)"),
    "optimal": ("aktuel (≤ 30 dage)", "optimal (≤ 30 days)"),
    "acceptable": ("acceptabel (≤ 60 dage)", "acceptable (≤ 60 days)"),
    "stale": ("forældet (> 180 dage)", "stale (> 180 days)"),
    "never reported": ("aldrig indberettet", "never reported"),
    "mitigation": ("reduktion", "mitigation"),
    "adaptation": ("tilpasning", "adaptation"),
    "both": ("begge", "both"),
    "output": ("Output", "Output"),
    "outcome": ("Outcome", "Outcome"),
    "impact": ("Impact", "Impact"),
    "reduction": ("Reduktion", "Reduction"),
    "equity": ("Lighed", "Equity"),
    "consumption": ("Forbrug", "Consumption"),
    "transition": ("Omstilling", "Transition"),
    "cloudburst": ("skybrud", "cloudburst"),
    "sea_level_rise": ("havstigning", "sea level rise"),
    "storm_surge": ("stormflod", "storm surge"),
    "groundwater": ("grundvand", "groundwater"),
    "drought": ("tørke", "drought"),
    "heat": ("hedebølge", "heat"),
    "river_flooding": ("vandløbsoversvømmelse", "river flooding"),
    "erosion": ("erosion", "erosion"),
    "other": ("andet", "other"),
    "energy": ("energi", "energy"),
    "industry": ("industri", "industry"),
    "agriculture": ("landbrug", "agriculture"),
    "waste": ("affald", "waste"),
    "land_use": ("arealanvendelse", "land use"),
}
"""Key → (Danish, English)."""


def term(key: str, lang: str = "da", **values: object) -> str:
    """The label for ``key`` in ``lang`` (``"da"`` or ``"en"``), formatted with ``values``.

    >>> term("M1"), term("M1", "en")
    ('Overblik', 'Headline')
    >>> term("change_vs_base", "en", year=2019)
    'Change since 2019'
    """
    if lang not in LANGUAGES:
        raise MissingLabelError("language", [lang], dim="lang")
    try:
        text = TERMS[key][LANGUAGES.index(lang)]
    except KeyError:
        raise MissingLabelError("report term", [key], dim="term") from None
    return text.format(**values) if values else text
