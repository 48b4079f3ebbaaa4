// Deliberately wrong, never part of the build: a sink reaching into the pipeline that drives it.
// Its test passes when the compiler cannot find the header (gd2s_sinks does not link it).
#include "pipeline/pipeline.h"
