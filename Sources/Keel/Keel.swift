// Module Keel
