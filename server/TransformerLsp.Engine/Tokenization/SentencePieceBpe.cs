using System.Text;

namespace TransformerLsp.Engine.Tokenization;

/// <summary>
/// SentencePiece's BPE encoding exactly as libsentencepiece does it (bpe_model.cc): start from characters, repeatedly
/// merge the adjacent pair whose joined piece has the highest score (ties: leftmost), then map pieces to ids, with byte
/// fallback for characters outside the vocabulary.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers 2.0.1 merges in a different order in some cases ("▁..." becomes "▁." ".." instead of spm's
/// "▁" ".." "."), so ids would differ from spm_encode and from what the model was trained on.
/// </remarks>
internal sealed class SentencePieceBpe
{
    private readonly Dictionary<string, (int Id, float Score)> _pieces = new(StringComparer.Ordinal);
    private readonly int[] _byteIds = new int[256];
    private readonly int _unkId;
    private readonly int _maxPieceChars;

    public SentencePieceBpe(SentencePieceModelFile model)
    {
        Array.Fill(_byteIds, -1);
        _unkId = 0;
        for (var id = 0; id < model.Pieces.Count; id++)
        {
            var (piece, score, type) = model.Pieces[id];
            switch (type)
            {
                case SentencePieceModelFile.PieceType.Normal or SentencePieceModelFile.PieceType.UserDefined:
                    // User-defined pieces always win (spm matches them first); a high score does the same here.
                    _pieces[piece] = (id, type == SentencePieceModelFile.PieceType.UserDefined ? float.MaxValue : score);
                    _maxPieceChars = Math.Max(_maxPieceChars, piece.Length);
                    break;
                case SentencePieceModelFile.PieceType.Byte when piece.Length == 6:
                    _byteIds[Convert.ToInt32(piece.Substring(3, 2), 16)] = id;
                    break;
                case SentencePieceModelFile.PieceType.Unknown:
                    _unkId = id;
                    break;
            }
        }
    }

    /// <summary>Ids for already-normalized text (spaces escaped as "▁", dummy prefix applied by the caller).</summary>
    public List<int> Encode(string normalized)
    {
        var ids = new List<int>(normalized.Length / 3 + 1);
        if (normalized.Length == 0) return ids;

        // Symbols: [start, length) in the string, linked list over characters (surrogate pairs kept whole).
        var starts = new List<int>();
        for (var i = 0; i < normalized.Length; i += char.IsSurrogatePair(normalized, i) ? 2 : 1) starts.Add(i);
        var n = starts.Count;
        var start = starts.ToArray();
        var length = new int[n];
        for (var i = 0; i < n; i++) length[i] = (i + 1 < n ? start[i + 1] : normalized.Length) - start[i];
        var prev = new int[n];
        var next = new int[n];
        for (var i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }

        // Agenda: highest score first, then leftmost; entries are re-validated when popped.
        var agenda = new PriorityQueue<(int Left, int Right, int Length), (float NegScore, int Left)>();
        void Consider(int left, int right)
        {
            if (left < 0 || right < 0) return;
            var len = length[left] + length[right];
            if (len > _maxPieceChars) return;
            if (_pieces.TryGetValue(normalized.Substring(start[left], len), out var p))
                agenda.Enqueue((left, right, len), (-p.Score, start[left]));
        }
        for (var i = 0; i + 1 < n; i++) Consider(i, i + 1);

        while (agenda.TryDequeue(out var pair, out _))
        {
            var (left, right, len) = pair;
            // Stale if either side has been merged away or changed since the pair was queued.
            if (length[left] == 0 || length[right] == 0 || next[left] != right || length[left] + length[right] != len) continue;
            length[left] = len;
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            Consider(prev[left], left);
            Consider(left, next[left]);
        }

        Span<byte> utf8 = stackalloc byte[8];
        for (var i = 0; i >= 0; i = next[i])
        {
            var piece = normalized.AsSpan(start[i], length[i]);
            if (_pieces.TryGetValue(piece.ToString(), out var p)) { ids.Add(p.Id); continue; }
            // Byte fallback: one id per UTF-8 byte of the unknown piece (unk when the model has no byte pieces).
            foreach (var rune in piece.ToString().EnumerateRunes())
            {
                var count = rune.EncodeToUtf8(utf8);
                for (var b = 0; b < count; b++) ids.Add(_byteIds[utf8[b]] >= 0 ? _byteIds[utf8[b]] : _unkId);
            }
        }
        return ids;
    }
}

/// <summary>The pieces of a SentencePiece model file (protobuf ModelProto, field 1), read without a protobuf library.</summary>
internal sealed class SentencePieceModelFile
{
    public enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

    public List<(string Piece, float Score, PieceType Type)> Pieces { get; } = [];

    public SentencePieceModelFile(byte[] data)
    {
        var r = new Reader(data, 0, data.Length);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field == 1 && wire == 2)
            {
                var (from, to) = r.Bytes();
                var m = new Reader(data, from, to);
                var piece = "";
                float score = 0;
                var type = PieceType.Normal;
                while (!m.End)
                {
                    var (f, w) = m.Tag();
                    if (f == 1 && w == 2) { var (a, b) = m.Bytes(); piece = Encoding.UTF8.GetString(data, a, b - a); }
                    else if (f == 2 && w == 5) score = m.Fixed32();
                    else if (f == 3 && w == 0) type = (PieceType)m.Varint();
                    else m.Skip(w);
                }
                Pieces.Add((piece, score, type));
            }
            else r.Skip(wire);
        }
        if (Pieces.Count == 0) throw new InvalidDataException("no pieces found (not a SentencePiece model)");
    }

    private struct Reader(byte[] data, int pos, int end)
    {
        private int _pos = pos;
        public readonly bool End => _pos >= end;

        public ulong Varint()
        {
            ulong v = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (_pos >= end || shift > 63) throw new InvalidDataException("truncated varint");
                var b = data[_pos++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return v;
            }
        }

        public (int Field, int Wire) Tag() { var t = Varint(); return ((int)(t >> 3), (int)(t & 7)); }

        public (int From, int To) Bytes()
        {
            var len = (int)Varint();
            if (len < 0 || _pos + len > end) throw new InvalidDataException("truncated field");
            var from = _pos;
            _pos += len;
            return (from, _pos);
        }

        public float Fixed32()
        {
            if (_pos + 4 > end) throw new InvalidDataException("truncated float");
            var v = BitConverter.ToSingle(data, _pos);
            _pos += 4;
            return v;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _pos += 8; break;
                case 2: Bytes(); break;
                case 5: _pos += 4; break;
                default: throw new InvalidDataException($"unsupported wire type {wire}");
            }
            if (_pos > end) throw new InvalidDataException("truncated field");
        }
    }
}
