export { builtinTools, type BuiltinToolDependencies, type BuiltinTools } from './builtin-tools.js';
export { calendarTool, type CalendarToolOptions } from './calendar-tool.js';
export { memoryContext } from './memory-context.js';
export { rememberTool, type MemoryWriter } from './remember-tool.js';
export { requestTool, type RequestToolOptions } from './request-tool.js';
