/**
 * A scripted stand-in for LLM providers' HTTP APIs (OpenAI chat completions, Anthropic
 * messages) on 127.0.0.1, for tests of anything that talks to a model. No network.
 */
export { startLoopbackLlm, type LoopbackLlm, type ReplyFunction, type Script } from './loopback-server.ts';
export { reply, type ScriptedError, type ScriptedHang, type ScriptedMessage, type ScriptedReply, type ScriptedToolCall, type ScriptedUsage } from './scripted-reply.ts';
export type { RecordedRequest, RecordedToolResult } from './recorded-request.ts';
