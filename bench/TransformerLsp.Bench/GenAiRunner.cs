using System.Text.Json;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace TransformerLsp.Bench;

/// <summary>
/// ONNX Runtime GenAI on the same model.onnx: a genai_config.json of type "llama" (a plain decoder with the
/// Optimum/GenAI I/O names) written next to a copy of the model in a temporary folder.
/// </summary>
/// <remarks>
/// GenAI's pitfalls, all handled here: every option goes through <c>GeneratorParams.SetSearchOption</c>;
/// max_length and min_length count the prompt; min_length = max_length forces exactly N new tokens (EOS cannot end
/// a sequence early), and num_beams / max_length are always set explicitly because a config's own defaults apply silently.
/// GenAI loads the same libonnxruntime.so (1.31.1) as the engine: its package ships only libonnxruntime-genai.so
/// and depends on Microsoft.ML.OnnxRuntime, so both run in one process.
/// </remarks>
internal sealed class GenAiRunner : IDisposable
{
    private readonly Model _model;
    private readonly string _folder;

    public double LoadMs { get; }

    /// <summary>Whether GenAI binds one buffer as each layer's past and present (its past_present_share_buffer).</summary>
    public bool SharesBuffers { get; }

    public GenAiRunner(ModelInfo info, int threads)
    {
        _folder = Path.Combine(Path.GetTempPath(), "transformerlsp-bench-genai-" + Environment.ProcessId);
        Directory.CreateDirectory(_folder);
        var target = Path.Combine(_folder, "model.onnx");
        if (!File.Exists(target)) File.Copy(info.OnnxPath, target);
        // GenAI runs as well as it can: with one buffer for past and present when the graph allows it (GroupQueryAttention,
        // which the engine binds so too), else with the exact-length caches every graph takes.
        using (var quiet = new Microsoft.ML.OnnxRuntime.SessionOptions { LogSeverityLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR })
        using (var probe = new Microsoft.ML.OnnxRuntime.InferenceSession(info.OnnxPath, quiet))
            SharesBuffers = probe.ModelMetadata.CustomMetadataMap.TryGetValue(TransformerLsp.Engine.Model.ModelSession.ShareBuffer, out var share) && share == "true";
        var sessionOptions = new Dictionary<string, object> { ["log_id"] = "bench-genai" };
        if (threads > 0) sessionOptions["intra_op_num_threads"] = threads;
        var config = new
        {
            model = new
            {
                type = "llama",
                bos_token_id = info.BosId,
                eos_token_id = info.EosId,
                pad_token_id = info.EosId,
                context_length = info.Positions,
                vocab_size = info.Vocab,
                decoder = new
                {
                    session_options = sessionOptions,
                    filename = "model.onnx",
                    head_size = info.HeadDim,
                    hidden_size = info.Embedding,
                    num_attention_heads = info.Heads,
                    num_key_value_heads = info.Heads,
                    num_hidden_layers = info.Layers,
                    inputs = new
                    {
                        input_ids = "input_ids",
                        attention_mask = "attention_mask",
                        position_ids = "position_ids",
                        past_key_names = "past_key_values.%d.key",
                        past_value_names = "past_key_values.%d.value",
                    },
                    outputs = new
                    {
                        logits = "logits",
                        present_key_names = "present.%d.key",
                        present_value_names = "present.%d.value",
                    },
                },
            },
            search = new
            {
                do_sample = false,
                num_beams = 1,
                num_return_sequences = 1,
                max_length = info.Positions,
                min_length = 0,
                early_stopping = true,
                length_penalty = 1.0,
                past_present_share_buffer = SharesBuffers,
                temperature = 1.0,
                top_k = 1,
                top_p = 1.0,
                repetition_penalty = 1.0,
                no_repeat_ngram_size = 0,
                diversity_penalty = 0.0,
            },
        };
        File.WriteAllText(Path.Combine(_folder, "genai_config.json"), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        _model = new Model(_folder);
        LoadMs = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }

    /// <summary>Greedy (width 1) or beam search from a fresh prompt, exactly <paramref name="newTokens"/> new tokens.</summary>
    public int[] Generate(IReadOnlyList<int> prompt, int newTokens, int beams = 1)
    {
        using var parameters = new GeneratorParams(_model);
        var maxLength = prompt.Count + newTokens;
        parameters.SetSearchOption("max_length", maxLength);
        parameters.SetSearchOption("min_length", maxLength);
        parameters.SetSearchOption("num_beams", beams);
        parameters.SetSearchOption("num_return_sequences", beams);
        parameters.SetSearchOption("do_sample", false);
        parameters.SetSearchOption("early_stopping", false);
        parameters.SetSearchOption("length_penalty", 0.0);
        using var generator = new Generator(_model, parameters);
        generator.AppendTokens(prompt.ToArray());
        while (!generator.IsDone()) generator.GenerateNextToken();
        return generator.GetSequence(0).ToArray()[prompt.Count..];
    }

    public void Dispose()
    {
        _model.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
