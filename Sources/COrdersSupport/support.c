// Header-only module; SwiftPM needs one source file per C target.
#include "orders_support.h"
