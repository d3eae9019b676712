-- A case's number of reports is counted from report_urls when read, not kept in a column
-- that every joining report had to rewrite.
ALTER TABLE cases DROP COLUMN reports;
