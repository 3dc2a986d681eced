using Microsoft.ML.OnnxRuntime;

namespace TransformerLsp.Engine.Model;

/// <summary>Chooses and configures the ONNX Runtime execution provider; falls back to CPU with a reason.</summary>
internal static class ExecutionProviders
{
    /// <summary>Appends the requested provider to <paramref name="options"/>; returns the provider in use and why it differs, if it does.</summary>
    public static (string Name, string? FallbackReason) Configure(SessionOptions options, ExecutionProviderKind kind)
    {
        if (kind == ExecutionProviderKind.Cpu) return ("cpu", null);
        var available = OrtEnv.Instance().GetAvailableProviders();
        var reasons = new List<string>();
        if (kind is ExecutionProviderKind.Cuda or ExecutionProviderKind.Auto)
        {
            if (TryCuda(options, available, out var why)) return ("cuda", null);
            reasons.Add(why);
        }
        if (kind is ExecutionProviderKind.DirectMl or ExecutionProviderKind.Auto)
        {
            if (TryDirectMl(options, available, out var why)) return ("directml", null);
            reasons.Add(why);
        }
        return ("cpu", $"using the CPU: {string.Join("; ", reasons)}");
    }

    private static bool TryCuda(SessionOptions options, string[] available, out string why)
    {
#if ORT_CUDA
        if (!available.Contains("CUDAExecutionProvider")) { why = "this ONNX Runtime reports no CUDAExecutionProvider"; return false; }
        try { options.AppendExecutionProvider_CUDA(0); why = ""; return true; }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        { why = $"CUDA could not start ({e.Message})"; return false; }
#else
        _ = options; _ = available;
        why = "CUDA is not compiled in (build with -p:OnnxRuntimeFlavor=cuda)";
        return false;
#endif
    }

    private static bool TryDirectMl(SessionOptions options, string[] available, out string why)
    {
#if ORT_DIRECTML
        if (!OperatingSystem.IsWindows()) { why = "DirectML needs Windows"; return false; }
        if (!available.Contains("DmlExecutionProvider")) { why = "this ONNX Runtime reports no DmlExecutionProvider"; return false; }
        try
        {
            // DirectML requires sequential execution without memory pattern optimisation (ONNX Runtime DirectML docs).
            options.EnableMemoryPattern = false;
            options.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
            options.AppendExecutionProvider_DML(0);
            why = ""; return true;
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        { why = $"DirectML could not start ({e.Message})"; return false; }
#else
        _ = options; _ = available;
        why = "DirectML is not compiled in (build with -p:OnnxRuntimeFlavor=directml on Windows)";
        return false;
#endif
    }
}
