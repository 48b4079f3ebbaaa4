// Deliberately wrong, never part of the build: core, which every layer links, reaching into a
// protocol. Its test passes when the compiler cannot find the header (gd2s_core links no layer).
#include "aws/s3_client.h"
