// Module Syntax
