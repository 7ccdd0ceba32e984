using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using NnGen.Shared;

namespace NnGen.Generator.Baking
{
    /// <summary>
    /// The safetensors container as the runtime's <c>SafeTensors.Parse</c> reads it, for netstandard2.0 and without
    /// System.Text.Json: an 8-byte little-endian header length N (at most the runtime's cap, and within the file), N bytes
    /// of UTF-8 JSON (an object of tensor entries {dtype, shape, data_offsets} and an optional string-to-string
    /// <c>__metadata__</c>, nested at most 3 deep, no duplicates, nothing after it but spaces), then data the entries cover
    /// exactly: in range, not overlapping, no gaps. Every problem is a <see cref="SafetensorsFormatException"/> that names
    /// the tensor and the byte offset in the file.
    /// </summary>
    internal sealed class SafetensorsHeader
    {
        public const string MetadataKey = "__metadata__";

        /// <summary>The runtime's cap (and the reference implementation's).</summary>
        public const long MaxHeaderBytes = 100_000_000;

        private const int MaxDepth = 3;

        private readonly byte[] _file;
        private readonly int _end;
        private int _position;
        private int _depth;

        private SafetensorsHeader(byte[] file, int end)
        {
            _file = file;
            _end = end;
            _position = 8;
        }

        public List<TensorEntry> Entries { get; } = new List<TensorEntry>();

        public Dictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Where the data starts in the file.</summary>
        public int DataStart => _end;

        /// <summary>Parses and checks the header and layout of a whole file.</summary>
        /// <exception cref="SafetensorsFormatException">Anything about the container is wrong.</exception>
        public static SafetensorsHeader Parse(byte[] file)
        {
            if (file.Length < 8)
            {
                throw Fail(null, 0, $"the file is {file.Length} bytes; a safetensors file starts with an 8-byte header length");
            }

            ulong headerLength = 0;
            for (int i = 7; i >= 0; i--)
            {
                headerLength = (headerLength << 8) | file[i];
            }

            if (headerLength > MaxHeaderBytes)
            {
                throw Fail(null, 0, $"the header length is {headerLength} bytes; at most {MaxHeaderBytes} are accepted");
            }

            if (headerLength > (ulong)(file.Length - 8))
            {
                throw Fail(null, 0, $"the header length is {headerLength} bytes but only {file.Length - 8} bytes follow it (truncated file?)");
            }

            if (headerLength < 2)
            {
                throw Fail(null, 0, $"the header length is {headerLength} bytes; the header is a JSON object of at least 2");
            }

            var header = new SafetensorsHeader(file, 8 + (int)headerLength);
            if (file[8] != (byte)'{')
            {
                throw Fail(null, 8, $"the header must start with '{{'; found byte 0x{file[8]:X2}");
            }

            header.ReadTop();
            header.CheckLayout();
            return header;
        }

        private void ReadTop()
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string name, int offset) in ObjectKeys(null))
            {
                if (!names.Add(name))
                {
                    throw Fail(name, offset, "appears twice in the header");
                }

                if (name == MetadataKey)
                {
                    ReadMetadata();
                }
                else
                {
                    Entries.Add(ReadEntry(name, offset));
                }
            }

            SkipWhitespace();
            if (_position < _end)
            {
                throw Fail(null, _position, "the header has content after its closing '}'");
            }
        }

        private void ReadMetadata()
        {
            foreach ((string key, _) in ObjectKeys(MetadataKey))
            {
                SkipWhitespace();
                int at = _position;
                if (Peek() != '"')
                {
                    throw Fail(MetadataKey, at, $"entry '{key}' must be a string; found {DescribeValue(MetadataKey)}");
                }

                string value = ReadString(MetadataKey);
                if (Metadata.ContainsKey(key))
                {
                    throw Fail(MetadataKey, at, $"entry '{key}' appears twice");
                }

                Metadata.Add(key, value);
            }
        }

        private TensorEntry ReadEntry(string name, int offset)
        {
            string? dtype = null;
            long[]? shape = null;
            long[]? offsets = null;
            foreach ((string key, int at) in ObjectKeys(name))
            {
                switch (key)
                {
                    case "dtype" when dtype is null:
                        SkipWhitespace();
                        if (Peek() != '"')
                        {
                            throw Fail(name, _position, $"dtype must be a string; found {DescribeValue(name)}");
                        }

                        dtype = ReadString(name);
                        break;
                    case "shape" when shape is null:
                        shape = ReadIntegers(name, "shape");
                        break;
                    case "data_offsets" when offsets is null:
                        offsets = ReadIntegers(name, "data_offsets");
                        break;
                    case "dtype":
                    case "shape":
                    case "data_offsets":
                        throw Fail(name, at, $"'{key}' appears twice");
                    default:
                        throw Fail(name, at, $"unexpected field '{key}'; a tensor entry has dtype, shape and data_offsets");
                }
            }

            if (dtype is null || shape is null || offsets is null)
            {
                string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
                throw Fail(name, offset, $"the entry has no {missing}");
            }

            int size = DTypeSize(dtype);
            if (size == 0)
            {
                throw Fail(name, offset, $"unknown dtype '{dtype}'");
            }

            if (offsets.Length != 2)
            {
                throw Fail(name, offset, $"data_offsets must hold [begin, end]; found {offsets.Length} numbers");
            }

            if (offsets[1] < offsets[0])
            {
                throw Fail(name, offset, $"data_offsets [{offsets[0]}, {offsets[1]}] end before they begin");
            }

            long bytes = size;
            foreach (long dimension in shape)
            {
                if (dimension != 0 && bytes > long.MaxValue / dimension)
                {
                    throw Fail(name, offset, $"shape ({TensorShapes.Format(shape)}) is too large");
                }

                bytes *= dimension;
            }

            if (offsets[1] - offsets[0] != bytes)
            {
                throw Fail(name, offset, $"shape ({TensorShapes.Format(shape)}) of {dtype} needs {bytes} bytes; data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
            }

            return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
        }

        private void CheckLayout()
        {
            long dataLength = _file.Length - _end;
            var sorted = new List<TensorEntry>(Entries);
            sorted.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            TensorEntry? previous = null;
            foreach (TensorEntry entry in sorted)
            {
                if (entry.Begin < expected)
                {
                    throw Fail(entry.Name, _end + entry.Begin, $"data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}]");
                }

                if (entry.Begin > expected)
                {
                    throw Fail(entry.Name, _end + expected, $"data_offsets [{entry.Begin}, {entry.End}] leave bytes [{expected}, {entry.Begin}) of the data unused; tensors must cover the data without gaps");
                }

                if (entry.End > dataLength)
                {
                    throw Fail(entry.Name, _end + entry.Begin, $"data_offsets [{entry.Begin}, {entry.End}] run past the end of the data, which holds {dataLength} bytes (truncated file?)");
                }

                expected = entry.End;
                previous = entry;
            }

            if (expected != dataLength)
            {
                throw Fail(null, _end + expected, $"the tensors cover {expected} bytes of data but the file holds {dataLength} after the header");
            }
        }

        /// <summary>Bytes per element of each dtype the format defines (the runtime's table).</summary>
        public static int DTypeSize(string dtype)
        {
            switch (dtype)
            {
                case "F64": case "I64": case "U64": return 8;
                case "F32": case "I32": case "U32": return 4;
                case "F16": case "BF16": case "I16": case "U16": return 2;
                case "I8": case "U8": case "BOOL": case "F8_E4M3": case "F8_E5M2": return 1;
                default: return 0;
            }
        }

        // An object's keys, one at a time; the caller reads each value before asking for the next key.
        private IEnumerable<(string Key, int Offset)> ObjectKeys(string? tensor)
        {
            SkipWhitespace();
            if (Peek() != '{')
            {
                throw Fail(tensor, _position, $"{(tensor is null ? "the header" : tensor == MetadataKey ? "the metadata" : "a tensor entry")} must be a JSON object; found {DescribeValue(tensor)}");
            }

            if (++_depth > MaxDepth)
            {
                throw Fail(tensor, _position, $"the header nests deeper than {MaxDepth} levels");
            }

            _position++;
            SkipWhitespace();
            if (Peek() == '}')
            {
                _position++;
                _depth--;
                yield break;
            }

            while (true)
            {
                SkipWhitespace();
                int at = _position;
                if (Peek() != '"')
                {
                    throw Fail(tensor, at, $"expected a quoted name; found {DescribeValue(tensor)}");
                }

                string key = ReadString(tensor);
                SkipWhitespace();
                Expect(':', tensor);
                yield return (key, at);
                SkipWhitespace();
                int next = Peek();
                _position++;
                if (next == '}')
                {
                    _depth--;
                    yield break;
                }

                if (next != ',')
                {
                    throw Fail(tensor, _position - 1, next < 0 ? "the header ends early" : $"expected ',' or '}}'; found {Describe(next)}");
                }
            }
        }

        private long[] ReadIntegers(string tensor, string field)
        {
            SkipWhitespace();
            if (Peek() != '[')
            {
                throw Fail(tensor, _position, $"{field} must be an array; found {DescribeValue(tensor)}");
            }

            if (++_depth > MaxDepth)
            {
                throw Fail(tensor, _position, $"the header nests deeper than {MaxDepth} levels");
            }

            _position++;
            var values = new List<long>();
            SkipWhitespace();
            if (Peek() == ']')
            {
                _position++;
                _depth--;
                return values.ToArray();
            }

            while (true)
            {
                SkipWhitespace();
                int at = _position;
                string number = ReadNumberToken();
                if (number.Length == 0 || !long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ||
                    value < 0 || value > int.MaxValue || !IsJsonInteger(number))
                {
                    string found = number.Length > 0 ? number : DescribeValue(tensor);
                    throw Fail(tensor, at, $"{field} must hold integers from 0 to {int.MaxValue}; found {found}");
                }

                if (values.Count == 8)
                {
                    throw Fail(tensor, at, $"{field} has more than 8 entries");
                }

                values.Add(value);
                SkipWhitespace();
                int next = Peek();
                _position++;
                if (next == ']')
                {
                    _depth--;
                    return values.ToArray();
                }

                if (next != ',')
                {
                    throw Fail(tensor, _position - 1, next < 0 ? "the header ends early" : $"expected ',' or ']'; found {Describe(next)}");
                }
            }
        }

        // JSON numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; only the integer form is accepted above.
        private string ReadNumberToken()
        {
            int start = _position;
            while (_position < _end && (IsDigit(_file[_position]) || _file[_position] is (byte)'-' or (byte)'+' or (byte)'.' or (byte)'e' or (byte)'E'))
            {
                _position++;
            }

            return Encoding.ASCII.GetString(_file, start, _position - start);
        }

        private static bool IsJsonInteger(string number)
        {
            int i = number.Length > 0 && number[0] == '-' ? 1 : 0;
            if (i >= number.Length || (number[i] == '0' && number.Length > i + 1))
            {
                return false;
            }

            for (; i < number.Length; i++)
            {
                if (!IsDigit((byte)number[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private string ReadString(string? tensor)
        {
            int start = _position;
            Expect('"', tensor);
            var bytes = new List<byte>();
            while (true)
            {
                if (_position >= _end)
                {
                    throw Fail(tensor, start, "a string in the header is not closed");
                }

                byte b = _file[_position++];
                if (b == '"')
                {
                    break;
                }

                if (b < 0x20)
                {
                    throw Fail(tensor, _position - 1, $"a string holds the control byte 0x{b:X2}");
                }

                if (b != '\\')
                {
                    bytes.Add(b);
                    continue;
                }

                if (_position >= _end)
                {
                    throw Fail(tensor, start, "a string in the header is not closed");
                }

                byte escape = _file[_position++];
                switch (escape)
                {
                    case (byte)'"': bytes.Add((byte)'"'); break;
                    case (byte)'\\': bytes.Add((byte)'\\'); break;
                    case (byte)'/': bytes.Add((byte)'/'); break;
                    case (byte)'b': bytes.Add(8); break;
                    case (byte)'f': bytes.Add(12); break;
                    case (byte)'n': bytes.Add(10); break;
                    case (byte)'r': bytes.Add(13); break;
                    case (byte)'t': bytes.Add(9); break;
                    case (byte)'u':
                        bytes.AddRange(Encoding.UTF8.GetBytes(ReadUnicodeEscape(tensor)));
                        break;
                    default:
                        throw Fail(tensor, _position - 2, $"a string holds the invalid escape '\\{Describe(escape)}'");
                }
            }

            try
            {
                return Strict.GetString(bytes.ToArray());
            }
            catch (DecoderFallbackException)
            {
                throw Fail(tensor, start, "a string in the header is not valid UTF-8");
            }
        }

        private string ReadUnicodeEscape(string? tensor)
        {
            int at = _position - 2;
            int high = ReadHex4(tensor, at);
            if (high is >= 0xD800 and <= 0xDBFF)
            {
                if (_position + 6 <= _end && _file[_position] == '\\' && _file[_position + 1] == 'u')
                {
                    _position += 2;
                    int low = ReadHex4(tensor, at);
                    if (low is >= 0xDC00 and <= 0xDFFF)
                    {
                        return new string(new[] { (char)high, (char)low });
                    }
                }

                throw Fail(tensor, at, "a string holds an unpaired surrogate escape");
            }

            if (high is >= 0xDC00 and <= 0xDFFF)
            {
                throw Fail(tensor, at, "a string holds an unpaired surrogate escape");
            }

            return ((char)high).ToString();
        }

        private int ReadHex4(string? tensor, int at)
        {
            if (_position + 4 > _end)
            {
                throw Fail(tensor, at, "a \\u escape is cut short");
            }

            int value = 0;
            for (int i = 0; i < 4; i++)
            {
                byte b = _file[_position++];
                int digit = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
                if (digit < 0)
                {
                    throw Fail(tensor, at, "a \\u escape needs four hex digits");
                }

                value = (value << 4) | digit;
            }

            return value;
        }

        private void Expect(char expected, string? tensor)
        {
            int next = Peek();
            if (next != expected)
            {
                throw Fail(tensor, _position, next < 0 ? "the header ends early" : $"expected '{expected}'; found {Describe(next)}");
            }

            _position++;
        }

        private int Peek() => _position < _end ? _file[_position] : -1;

        private void SkipWhitespace()
        {
            while (_position < _end && _file[_position] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
            {
                _position++;
            }
        }

        private string DescribeValue(string? tensor)
        {
            switch (Peek())
            {
                case '{': return "an object";
                case '[': return "an array";
                case '"': return "a string";
                case 't': case 'f': return "a boolean";
                case 'n': return "null";
                case -1: return "the end of the header";
                case int c when c == '-' || IsDigit((byte)c): return "a number";
                case int c: return Describe(c);
            }
        }

        private static string Describe(int b) =>
            b is >= 0x21 and < 0x7F ? "'" + (char)b + "'" : "byte 0x" + b.ToString("X2", CultureInfo.InvariantCulture);

        private static bool IsDigit(byte b) => b >= '0' && b <= '9';

        private static readonly Encoding Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        // Messages interpolate only non-negative integers, which every culture writes the same way.
        private static SafetensorsFormatException Fail(string? tensor, long offset, string detail) => new(tensor, offset, detail);
    }

    /// <summary>One tensor as the header describes it; offsets are relative to the start of the data.</summary>
    internal sealed class TensorEntry
    {
        public TensorEntry(string name, string dtype, long[] shape, long begin, long end)
        {
            Name = name;
            DType = dtype;
            Shape = shape;
            Begin = begin;
            End = end;
        }

        public string Name { get; }

        public string DType { get; }

        public long[] Shape { get; }

        public long Begin { get; }

        public long End { get; }
    }

    /// <summary>A malformed container: the tensor (null for the file as a whole), the byte offset in the file, and what is wrong.</summary>
    internal sealed class SafetensorsFormatException : Exception
    {
        public SafetensorsFormatException(string? tensor, long offset, string detail)
            : base(detail)
        {
            Tensor = tensor;
            Offset = offset;
            Detail = detail;
        }

        public string? Tensor { get; }

        public long Offset { get; }

        public string Detail { get; }
    }
}
