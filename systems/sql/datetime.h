// Date and time SQL functions (datetime.cc), registered in functions.cc's table.
#pragma once

#include "systems/sql/engine.h"

namespace sfs::sql {

bool fn_date(Runtime& rt, const Expr* call, Value* args, int count, Value* out);
bool fn_time(Runtime& rt, const Expr* call, Value* args, int count, Value* out);
bool fn_datetime(Runtime& rt, const Expr* call, Value* args, int count, Value* out);
bool fn_julianday(Runtime& rt, const Expr* call, Value* args, int count, Value* out);
bool fn_unixepoch(Runtime& rt, const Expr* call, Value* args, int count, Value* out);
bool fn_strftime(Runtime& rt, const Expr* call, Value* args, int count, Value* out);
bool fn_current_date(Runtime& rt, const Expr* call, Value* args, int count, Value* out);
bool fn_current_time(Runtime& rt, const Expr* call, Value* args, int count, Value* out);
bool fn_current_timestamp(Runtime& rt, const Expr* call, Value* args, int count, Value* out);

}  // namespace sfs::sql
