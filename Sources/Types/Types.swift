// Module Types
