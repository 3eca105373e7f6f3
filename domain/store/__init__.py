"""The only code that talks to DynamoDB, in three parts: `codec` (items <-> entities), `schema` (the table, declared
once) and `repository` (every call: conditional writes, listings, segments and their cursors), with `conditions`
(what the validator may write, and on which conditions) beside them. Import the module you need; nothing is
re-exported here."""
