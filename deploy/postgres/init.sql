-- One database per service, each owned by the service's own role, so that a service never
-- reads another service's tables (ARCHITECTURE.md). The postgres image runs this once, as
-- the superuser through psql, when its data volume is first initialised (compose mounts it
-- in /docker-entrypoint-initdb.d). The same script can prepare any PostgreSQL 15+ server:
--   HUKOU_DB_PASSWORD=... (one per service) psql -v ON_ERROR_STOP=1 -U postgres -f init.sql
-- The passwords come from the environment (psql's \getenv), never from this file: a missing
-- one leaves its variable unset, so its CREATE ROLE fails and the script stops there.
\set ON_ERROR_STOP on

\getenv hukou_password HUKOU_DB_PASSWORD
CREATE ROLE hukou LOGIN PASSWORD :'hukou_password';
CREATE DATABASE hukou OWNER hukou;
REVOKE ALL ON DATABASE hukou FROM PUBLIC;

\getenv housing_password HOUSING_DB_PASSWORD
CREATE ROLE housing LOGIN PASSWORD :'housing_password';
CREATE DATABASE housing OWNER housing;
REVOKE ALL ON DATABASE housing FROM PUBLIC;

\getenv medical_insurance_password MEDICAL_INSURANCE_DB_PASSWORD
CREATE ROLE medical_insurance LOGIN PASSWORD :'medical_insurance_password';
CREATE DATABASE medical_insurance OWNER medical_insurance;
REVOKE ALL ON DATABASE medical_insurance FROM PUBLIC;

\getenv pension_password PENSION_DB_PASSWORD
CREATE ROLE pension LOGIN PASSWORD :'pension_password';
CREATE DATABASE pension OWNER pension;
REVOKE ALL ON DATABASE pension FROM PUBLIC;

\getenv education_password EDUCATION_DB_PASSWORD
CREATE ROLE education LOGIN PASSWORD :'education_password';
CREATE DATABASE education OWNER education;
REVOKE ALL ON DATABASE education FROM PUBLIC;

\getenv residence_permit_password RESIDENCE_PERMIT_DB_PASSWORD
CREATE ROLE residence_permit LOGIN PASSWORD :'residence_permit_password';
CREATE DATABASE residence_permit OWNER residence_permit;
REVOKE ALL ON DATABASE residence_permit FROM PUBLIC;
