// A real model behind the Ollama HTTP protocol, for the real-model test tier (tests/realmodel).
//
// llama.cpp (npm node-llama-cpp, prebuilt CPU binaries) runs a GGUF model; this server speaks the part of Ollama's
// API the validator uses: GET /api/version, GET /api/tags, POST /api/show, POST /api/chat (streamed NDJSON or one
// JSON body), with `format` (a JSON schema, or "json") enforced through llama.cpp's grammar support, and
// `options.num_ctx` honoured as the context size of the request. Each chat request is recorded with the num_ctx it
// sent and its prompt's real token count from the model's own tokenizer and chat template; GET /_records returns
// them (test-only). Requests are served one at a time, as one Ollama runner would.
//
// Usage: node ollama_llama_server.mjs --model FILE.gguf [--name NAME] [--port 0] [--max-tokens 256] [--threads 1]
// Prints one line `listening http://127.0.0.1:PORT` on stdout when ready.
import http from "node:http";
import {parseArgs} from "node:util";
import {getLlama, LlamaChatSession} from "node-llama-cpp";

const {values: args} = parseArgs({
    options: {
        model: {type: "string"},
        name: {type: "string", default: "smollm2:135m"},
        port: {type: "string", default: "0"},
        "max-tokens": {type: "string", default: "256"},
        // One thread: llama.cpp's worker threads spin while they wait, and on a shared 2-core machine two of them
        // ran prompt evaluation several times slower than one.
        threads: {type: "string", default: "1"},
    },
});
if (!args.model) {
    console.error("--model FILE.gguf is required");
    process.exit(2);
}
const MAX_TOKENS = Number(args["max-tokens"]);
const THREADS = Number(args.threads);
const DEFAULT_NUM_CTX = 2048; // what older Ollama versions use when a request names none

const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath: args.model});
const grammars = new Map();
const records = [];
let queue = Promise.resolve();

async function grammarFor(format) {
    if (format == null || format === "") return undefined;
    const key = JSON.stringify(format);
    if (!grammars.has(key)) {
        grammars.set(key, format === "json" ? await llama.getGrammarFor("json") : await llama.createGrammarForJsonSchema(format));
    }
    return grammars.get(key);
}

function promptTokens(session, system, user) {
    // The exact text the model sees: the chat template applied to the system and user messages.
    const history = [];
    if (system) history.push({type: "system", text: system});
    history.push({type: "user", text: user}, {type: "model", response: []});
    const {contextText} = session.chatWrapper.generateContextState({chatHistory: history});
    return contextText.tokenize(model.tokenizer).length;
}

async function chat(body) {
    const messages = body.messages ?? [];
    const system = messages.filter((m) => m.role === "system").map((m) => m.content).join("\n");
    const users = messages.filter((m) => m.role === "user");
    const user = users.length ? users[users.length - 1].content : "";
    const options = body.options ?? {};
    const numCtx = Number.isInteger(options.num_ctx) && options.num_ctx > 0 ? options.num_ctx : DEFAULT_NUM_CTX;
    const started = Date.now();
    const context = await model.createContext({contextSize: numCtx, threads: THREADS});
    try {
        const session = new LlamaChatSession({contextSequence: context.getSequence(), systemPrompt: system});
        const tokens = promptTokens(session, system, user);
        const record = {
            model: body.model,
            num_ctx: options.num_ctx ?? null,
            context_size: numCtx,
            prompt_tokens: tokens,
            schema_title: typeof body.format === "object" && body.format ? body.format.title ?? null : body.format ?? null,
            fits: tokens < numCtx,
            user,
        };
        let content = "";
        let evalCount = 0;
        if (record.fits) {
            const maxTokens = Math.max(1, Math.min(MAX_TOKENS, numCtx - tokens - 1));
            content = await session.prompt(user, {
                grammar: await grammarFor(body.format),
                maxTokens,
                temperature: options.temperature ?? 0.8,
                onToken: (t) => (evalCount += t.length),
            });
            record.hit_max_tokens = evalCount >= maxTokens;
        }
        // Ollama would cut an oversized prompt from the start, silently; here it is recorded and gets an empty answer.
        record.eval_tokens = evalCount;
        record.ms = Date.now() - started;
        records.push(record);
        return {content, promptTokens: tokens, evalCount, ms: record.ms};
    } finally {
        await context.dispose();
    }
}

function send(res, status, payload) {
    const data = JSON.stringify(payload);
    res.writeHead(status, {"Content-Type": "application/json", "Content-Length": Buffer.byteLength(data)});
    res.end(data);
}

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
            try {
                resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {});
            } catch (e) {
                reject(e);
            }
        });
        req.on("error", reject);
    });
}

const server = http.createServer(async (req, res) => {
    const path = (req.url ?? "").split("?")[0].replace(/\/+$/, "");
    try {
        if (req.method === "GET" && path === "/api/version") return send(res, 200, {version: "0.0.0-llama.cpp"});
        if (req.method === "GET" && path === "/api/tags")
            return send(res, 200, {models: [{name: args.name, model: args.name, size: model.size, details: {format: "gguf"}}]});
        if (req.method === "GET" && path === "/_records") return send(res, 200, records);
        if (req.method === "POST" && path === "/api/show") {
            const body = await readBody(req);
            if ((body.model ?? body.name) !== args.name) return send(res, 404, {error: `model '${body.model}' not found`});
            return send(res, 200, {
                modelfile: "",
                parameters: "",
                template: "",
                details: {format: "gguf", family: "llama"},
                model_info: {"llama.context_length": model.trainContextSize},
                capabilities: ["completion"],
            });
        }
        if (req.method === "POST" && path === "/api/chat") {
            const body = await readBody(req);
            if (body.model !== args.name) return send(res, 404, {error: `model '${body.model}' not found`});
            const turn = queue.then(() => chat(body));
            queue = turn.catch(() => undefined);
            const out = await turn;
            const now = new Date().toISOString();
            const final = {
                model: body.model,
                created_at: now,
                done: true,
                done_reason: "stop",
                total_duration: out.ms * 1e6,
                prompt_eval_count: out.promptTokens,
                eval_count: out.evalCount,
            };
            if (body.stream === false) return send(res, 200, {...final, message: {role: "assistant", content: out.content}});
            res.writeHead(200, {"Content-Type": "application/x-ndjson"});
            res.write(JSON.stringify({model: body.model, created_at: now, message: {role: "assistant", content: out.content}, done: false}) + "\n");
            res.end(JSON.stringify({...final, message: {role: "assistant", content: ""}}) + "\n");
            return;
        }
        return send(res, 404, {error: "not found"});
    } catch (e) {
        if (!res.headersSent) send(res, 500, {error: String(e?.message ?? e)});
        else res.end();
    }
});

server.listen(Number(args.port), "127.0.0.1", () => {
    console.log(`listening http://127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
        server.close();
        process.exit(0);
    });
}
