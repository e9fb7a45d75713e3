"""Who answers for each asset, as Dagster owners (a team each; the UI lists and filters by them).

dbt models name theirs once per folder (`+meta: {owner: …}` in dbt_project.yml), with these
same team names; the Python assets use the constants below.
"""

# Intake, the warehouse's tables and what is published from them.
DATA_TEAM = "team:suanli-data"
# The index method: definitions, weights, scores and the robustness audit.
METHOD_TEAM = "team:suanli-method"

TEAMS = (DATA_TEAM, METHOD_TEAM)
