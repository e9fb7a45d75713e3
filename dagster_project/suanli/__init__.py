"""suanli: a data warehouse for China's computing-power indices."""
