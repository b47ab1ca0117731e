"""Create the PostgreSQL database of DATABASE_URL if it is not there (the load
test's and bench-pages' databases are kept between runs)."""

import os

import environ
import psycopg2
from psycopg2 import sql


def main() -> None:
    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    admin = psycopg2.connect(dbname="postgres", user=config["USER"], password=config["PASSWORD"] or None,
                             host=config["HOST"], port=config["PORT"] or 5432)  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created {config['NAME']}")
    admin.close()


if __name__ == "__main__":
    main()
