// Module Runtime
