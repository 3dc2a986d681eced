using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TransformerLsp.Server.Protocol;

/// <summary>The one set of JSON options used on the wire: camelCase names, nulls omitted.</summary>
internal static class LspJson
{
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.PropertyNameCaseInsensitive = false;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        options.TypeInfoResolver = LspJsonContext.Default;
        return options;
    }

    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions());

    /// <summary>The options that read what a client sends: a field the protocol types require (a constructor
    /// parameter without a default) must be present, and one they declare non-nullable must not be null, so bad
    /// params fail here with the field's JSON path instead of as a NullReferenceException in a handler.</summary>
    public static readonly JsonSerializerOptions Incoming = new(Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The source-generated contract of <typeparamref name="T"/> under <see cref="Incoming"/>.</summary>
    public static JsonTypeInfo<T> IncomingInfo<T>() => (JsonTypeInfo<T>)Incoming.GetTypeInfo(typeof(T));

    /// <summary>Reads an argument object; a wrong shape becomes <see cref="InvalidParamsException"/>.</summary>
    public static T Read<T>(JsonElement element, string what)
    {
        try
        {
            return element.Deserialize(IncomingInfo<T>()) ?? throw new InvalidParamsException($"{what}: expected an object, got null");
        }
        catch (JsonException e)
        {
            throw new InvalidParamsException($"{what}: {e.Message}");
        }
    }
}

/// <summary>Bad input from the client; answered with -32602 InvalidParams and the message.</summary>
internal sealed class InvalidParamsException(string message) : Exception(message);
