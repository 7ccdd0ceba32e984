using System;
using System.Text;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// An indenting writer for generated C#. Newlines are always '\n' so output is identical on every OS.
    /// </summary>
    internal sealed class SourceWriter
    {
        private const string IndentUnit = "    ";
        private readonly StringBuilder _builder = new();
        private int _indent;

        public void WriteLine(string line)
        {
            if (line.Length > 0)
            {
                for (int i = 0; i < _indent; i++)
                {
                    _builder.Append(IndentUnit);
                }

                _builder.Append(line);
            }

            _builder.Append('\n');
        }

        public void WriteLine() => _builder.Append('\n');

        /// <summary>Writes each line of a multi-line block at the current indentation.</summary>
        public void WriteLines(string lines)
        {
            foreach (string line in lines.Split('\n'))
            {
                WriteLine(line);
            }
        }

        /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until the returned scope is disposed.</summary>
        public BlockScope Block(string header)
        {
            WriteLine(header);
            WriteLine("{");
            _indent++;
            return new BlockScope(this);
        }

        /// <summary>Writes an XML doc summary; <paramref name="text"/> must already be XML-escaped.</summary>
        public void Summary(string text)
        {
            WriteLine("/// <summary>" + text + "</summary>");
        }

        public override string ToString() => _builder.ToString();

        private void Close()
        {
            // A member that ends with a blank line may be the last one of its block; no blank line before a brace.
            if (_builder.Length >= 2 && _builder[_builder.Length - 1] == '\n' && _builder[_builder.Length - 2] == '\n')
            {
                _builder.Length--;
            }

            _indent--;
            WriteLine("}");
        }

        /// <summary>Closes a brace block when disposed.</summary>
        internal readonly struct BlockScope : IDisposable
        {
            private readonly SourceWriter _writer;

            public BlockScope(SourceWriter writer) => _writer = writer;

            public void Dispose() => _writer.Close();
        }
    }
}
