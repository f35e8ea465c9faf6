-- Quarto's Markdown extensions on the Pandoc AST, for the built-in engine: numbered figures
-- (with subfigures and layout), tables, equations and sections; @fig-/@tbl-/@eq-/@sec-
-- cross-references; callouts; the pagebreak marker. Whatever Quarto treats specially and this
-- filter does not implement stops the render with "QMDRENDER|<text to find>|<construct>",
-- which the engine turns into file:line.

local stringify = pandoc.utils.stringify
local KINDS = {fig = "Figure", tbl = "Table", eq = "Equation", sec = "Section"}
local CALLOUTS = {note = "Note", tip = "Tip", warning = "Warning", caution = "Caution",
                  important = "Important"}
local COLOURS = {note = "#2c6fbb", tip = "#2e8b57", warning = "#d98c00", caution = "#d35400",
                 important = "#c0392b"}
local numbers = {}          -- id -> displayed text ("Figure 2", "Figure 2(a)")
local allowed_classes, allowed_attributes = {}, {}   -- "div:callout-note" -> true
local number_sections = false
local has_bibliography = false
-- Every element is named by its position in document order, "Div:3" (the third Div), so that
-- the engine can find its line in a parse that keeps source positions (locate.py).
local POS = "qmdrender-pos"
local cite_seen = {}        -- citation id -> occurrences so far

local function refuse(position, construct)
  error("QMDRENDER|" .. position .. "|" .. construct, 0)
end

local function kind_of(id)
  local kind = id:match("^(%a+)%-")
  if kind and KINDS[kind] then return kind end
end

local function is_image_para(block)
  return (block.t == "Para" or block.t == "Plain") and #block.content == 1
    and block.content[1].t == "Image"
end

local function subfigures(blocks)
  local subs = {}
  for _, block in ipairs(blocks) do
    if (block.t == "Div" or block.t == "Figure") and kind_of(block.identifier) == "fig" then
      table.insert(subs, block)
    end
  end
  return subs
end

local function equation_id(inlines, i)
  -- DisplayMath followed by (Space) Str "{#eq-x}"
  local j = i + 1
  if inlines[j] and inlines[j].t == "Space" then j = j + 1 end
  local s = inlines[j]
  if s and s.t == "Str" then
    local id = s.text:match("^{#(eq%-[%w_%-]+)}$")
    if id then return id, j end
  end
end

local function table_id(tbl)
  if kind_of(tbl.identifier) == "tbl" then return tbl.identifier end
  local caption = tbl.caption.long
  if #caption == 0 then return end
  local last = caption[#caption]
  local inlines = last.content
  local s = inlines[#inlines]
  if s and s.t == "Str" then return s.text:match("^{#(tbl%-[%w_%-]+)}$") end
end

-- Pass 1: number everything in document order.
local function count(doc)
  local counters = {fig = 0, tbl = 0, eq = 0}
  local sections = {0, 0, 0, 0, 0, 0}
  local function add(kind, id, position)
    if numbers[id] then refuse(position, "a second label '" .. id .. "'") end
    counters[kind] = counters[kind] + 1
    numbers[id] = KINDS[kind] .. " " .. counters[kind]
  end
  local subs = {}
  local math_count = 0
  return doc:walk {
    traverse = "topdown",
    Header = function(h)
      if number_sections and not h.classes:includes("unnumbered")
          and not h.classes:includes("appendix") then
        sections[h.level] = sections[h.level] + 1
        for l = h.level + 1, 6 do sections[l] = 0 end
        local parts = {}
        for l = 1, h.level do table.insert(parts, tostring(sections[l])) end
        local text = table.concat(parts, ".")
        h.attributes["number"] = text
        if kind_of(h.identifier) == "sec" then numbers[h.identifier] = "Section " .. text end
        return h
      elseif kind_of(h.identifier) == "sec" then
        numbers[h.identifier] = false
      end
    end,
    Div = function(div)
      local kind = kind_of(div.identifier)
      if (kind == "fig" or kind == "tbl") and not subs[div.identifier] then
        add(kind, div.identifier, div.attributes[POS])
        for i, sub in ipairs(subfigures(div.content)) do
          subs[sub.identifier] = true
          numbers[sub.identifier] = numbers[div.identifier] .. "(" .. string.char(96 + i) .. ")"
        end
      end
    end,
    Figure = function(fig)
      if kind_of(fig.identifier) == "fig" and not subs[fig.identifier] then
        add("fig", fig.identifier, fig.attributes[POS])
      end
    end,
    Table = function(tbl)
      local id = table_id(tbl)
      if id then add("tbl", id, tbl.attributes[POS]) end
    end,
    Inlines = function(inlines)
      for i, el in ipairs(inlines) do
        if el.t == "Math" and el.mathtype == "DisplayMath" then
          math_count = math_count + 1
          local id = equation_id(inlines, i)
          if id then add("eq", id, "DisplayMath:" .. math_count) end
        end
      end
    end,
  }
end

local function caption_inlines(id, inlines)
  local out = pandoc.Inlines {pandoc.Str(numbers[id] .. ":")}
  if #inlines > 0 then
    out:insert(pandoc.Space())
    out:extend(inlines)
  end
  return out
end

-- Split a float div into its content and its caption (the last paragraph).
local function float_parts(div)
  local content = pandoc.Blocks(div.content)
  local caption = pandoc.Inlines {}
  local last = content[#content]
  if last and last.t == "Para" and not is_image_para(last) then
    caption = last.content
    content:remove(#content)
  end
  return content, caption
end

local function image_blocks(blocks)
  -- images of a subfigure: Para[Image] become Plain so no implicit figure nests
  local out = pandoc.Blocks {}
  for _, b in ipairs(blocks) do
    if b.t == "Figure" then out:extend(b.content) else out:insert(b) end
  end
  return out
end

local function layout(cells, ncol)
  if FORMAT:match("html") then
    local rows = pandoc.Blocks {}
    for i = 1, #cells, ncol do
      local row = pandoc.Div({}, {class = "quarto-layout-row"})
      for j = i, math.min(i + ncol - 1, #cells) do
        row.content:insert(pandoc.Div(cells[j], {class = "quarto-layout-cell",
          style = string.format("flex-basis: %.4f%%;", 100 / ncol)}))
      end
      rows:insert(row)
    end
    return rows
  end
  local rows = {}
  for i = 1, #cells, ncol do
    local row = {}
    for j = i, i + ncol - 1 do table.insert(row, cells[j] or pandoc.Blocks {}) end
    table.insert(rows, row)
  end
  local aligns, widths = {}, {}
  for _ = 1, ncol do
    table.insert(aligns, pandoc.AlignCenter)
    table.insert(widths, 1 / ncol)
  end
  return pandoc.Blocks {pandoc.utils.from_simple_table(
    pandoc.SimpleTable({}, aligns, widths, {}, rows))}
end

-- An image without alternative text (no fig-alt) takes its (sub)figure's caption as one, so
-- that every figure's image has a text alternative, as in Quarto's HTML.
local function with_alt(blocks, caption)
  local alt = stringify(caption)
  if alt == "" then return blocks end
  return blocks:walk {Image = function(img)
    if #img.caption == 0 then img.caption = pandoc.Inlines(alt); return img end
  end}
end

local function figure(el)
  local content, caption
  if el.t == "Figure" then
    content, caption = pandoc.Blocks(el.content), stringify(el.caption.long) ~= "" and
      el.caption.long[1].content or pandoc.Inlines {}
  else
    content, caption = float_parts(el)
  end
  local subs = subfigures(content)
  if #subs > 0 then
    local ncol = tonumber(el.attributes["layout-ncol"])
    local nrow = tonumber(el.attributes["layout-nrow"])
    if not ncol then ncol = nrow and math.ceil(#subs / nrow) or 1 end
    local cells = {}
    for i, sub in ipairs(subs) do
      local sub_content, sub_caption = float_parts(sub)
      if sub.t == "Figure" then
        sub_content = pandoc.Blocks(sub.content)
        sub_caption = #sub.caption.long > 0 and sub.caption.long[1].content or pandoc.Inlines {}
      end
      local label = pandoc.Inlines {pandoc.Str("(" .. string.char(96 + i) .. ")")}
      if #sub_caption > 0 then
        label:insert(pandoc.Space())
        label:extend(sub_caption)
      end
      sub_content = with_alt(sub_content, #sub_caption > 0 and sub_caption or caption)
      table.insert(cells, pandoc.Blocks {pandoc.Figure(image_blocks(sub_content),
        {pandoc.Plain(label)}, {id = sub.identifier})})
    end
    content = layout(cells, ncol)
  else
    content = with_alt(image_blocks(content), caption)
  end
  return pandoc.Figure(content, {pandoc.Plain(caption_inlines(el.identifier, caption))},
    {id = el.identifier, class = "quarto-float"})
end

local function table_float(id, content, caption)
  local cap = pandoc.Para(caption_inlines(id, caption))
  local head = pandoc.Div({cap}, {class = "table-caption", ["custom-style"] = "Table Caption"})
  local blocks = pandoc.Blocks {head}
  blocks:extend(content)
  return pandoc.Div(blocks, {id = id, class = "quarto-float quarto-float-tbl"})
end

local function callout(div, kind)
  local content = pandoc.Blocks(div.content)
  local title = div.attributes.title and pandoc.Inlines(div.attributes.title)
  if not title and content[1] and content[1].t == "Header" then
    title = content[1].content
    content:remove(1)
  end
  title = title or pandoc.Inlines(CALLOUTS[kind])
  if FORMAT == "typst" then
    local out = pandoc.Blocks {pandoc.RawBlock("typst", string.format(
      '#block(width: 100%%, inset: 8pt, fill: rgb("%s").lighten(90%%), ' ..
      'stroke: (left: 3pt + rgb("%s")))[', COLOURS[kind], COLOURS[kind])),
      pandoc.Para {pandoc.Strong(title)}}
    out:extend(content)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  end
  local head = pandoc.Div({pandoc.Plain {pandoc.Strong(title)}}, {class = "callout-title"})
  return pandoc.Div({head, pandoc.Div(content, {class = "callout-body"})},
    {class = "callout callout-" .. kind, ["custom-style"] = "Callout " .. CALLOUTS[kind]})
end

local function pagebreak()
  if FORMAT == "typst" then return pandoc.RawBlock("typst", "#pagebreak()") end
  if FORMAT == "docx" then
    return pandoc.RawBlock("openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
  end
  return pandoc.RawBlock("html", '<div class="page-break" style="page-break-after: always;">'
    .. '</div>')
end

local ELEMENTS = {Div = "div", Span = "span", Header = "heading", Image = "image",
                  Table = "table", Link = "link"}

-- Name each element by its position and check its classes and attributes against the subset.
local function positions_and_checks(doc)
  local counts = {}
  local function mark(el, tag)
    counts[tag] = (counts[tag] or 0) + 1
    local position = tag .. ":" .. counts[tag]
    return position
  end
  local function check(el, tag, position)
    local what = ELEMENTS[tag]
    local on = (what == "image" and " on an " or " on a ") .. (what or "code block")
    if what then
      for _, class in ipairs(el.classes) do
        if not allowed_classes[what .. ":" .. class] then
          refuse(position, "the class ." .. class .. on)
        end
      end
    end
    local float = tag == "Div" and kind_of(el.identifier)
    local callout = tag == "Div" and el.classes:find_if(function(c)
      return CALLOUTS[c:match("^callout%-(.*)$") or ""] end)
    for k, _ in pairs(el.attributes) do
      local generic = k:match("^data%-") and (what .. ":data-*") or nil
      local ok = what and (allowed_attributes[what .. ":" .. k]
        or (generic and allowed_attributes[generic]))
      if k == "title" and not callout then ok = false end
      if (k == "layout-ncol" or k == "layout-nrow") and float ~= "fig" then ok = false end
      if callout and k ~= "title" then
        refuse(position, "callout attribute '" .. k .. "'")
      end
      if float and not (k == "layout-ncol" or k == "layout-nrow") then ok = false end
      if not ok then refuse(position, "the attribute " .. k .. on) end
    end
  end
  local function visit(tag)
    return function(el)
      local position = mark(el, tag)
      check(el, tag, position)
      el.attributes[POS] = position
      return el
    end
  end
  local function code(tag)
    return function(el)
      local position = mark(el, tag)
      for k, _ in pairs(el.attributes) do
        refuse(position, "the attribute " .. k .. " on a code " .. (tag == "Code" and "span"
          or "block"))
      end
    end
  end
  local table_visit = function(tbl)
    if #tbl.caption.long == 0 and tbl.identifier == "" and #tbl.attributes == 0 then
      return
    end
    local position = mark(tbl, "Table")
    check(tbl, "Table", position)
    tbl.attributes[POS] = position
    return tbl
  end
  -- the body only: the front matter is not in the positions of the body's parse
  local walked = pandoc.Pandoc(doc.blocks, pandoc.Meta {}):walk {
    traverse = "topdown",
    Div = visit("Div"), Span = visit("Span"), Header = visit("Header"),
    Image = visit("Image"), Link = visit("Link"), Table = table_visit,
    CodeBlock = code("CodeBlock"), Code = code("Code"),
    Figure = function(fig)  -- an implicit figure: named by its image
      fig.attributes[POS] = "Image:" .. ((counts["Image"] or 0) + 1)
      return fig
    end,
  }
  doc.blocks = walked.blocks
  return doc
end

local function strip_positions(doc)
  local function strip(el)
    if el.attributes and el.attributes[POS] then
      el.attributes[POS] = nil
      return el
    end
  end
  return doc:walk {Div = strip, Span = strip, Header = strip, Image = strip, Link = strip,
                   Table = strip, Figure = strip}
end

local function crossref(cite)
  local first = cite.citations[1].id
  cite_seen[first] = (cite_seen[first] or 0) + 1
  local at = "Cite:" .. first .. ":" .. cite_seen[first]
  local ids, crossrefs = {}, 0
  for _, c in ipairs(cite.citations) do
    table.insert(ids, c.id)
    if kind_of(c.id) then crossrefs = crossrefs + 1 end
  end
  if crossrefs == 0 then
    if not has_bibliography then
      refuse(at, "the citation @" .. ids[1] .. " without a bibliography")
    end
    return nil
  end
  local c = cite.citations[1]
  if #cite.citations > 1 then refuse(at, "several references in one [@...; @...]") end
  if #c.prefix > 0 or #c.suffix > 0 then
    refuse(at, "a prefix or suffix in a cross-reference [... @" .. c.id .. " ...]")
  end
  local text = numbers[c.id]
  if text == false then
    refuse(at, "@sec- references without number-sections: true")
  end
  if not text then refuse(at, "unresolved cross-reference @" .. c.id) end
  if c.mode == "SuppressAuthor" then text = text:match("^%S+ (.*)$") end
  return pandoc.Link(text, "#" .. c.id)
end

-- Sections with .appendix go to the end, before the references (a #refs div, added under a
-- trailing heading when the document has none), then, in HTML only, the Reuse and Citation
-- sections (https://quarto.org/docs/authoring/appendices.html: the attribution appendix is
-- a feature of HTML pages; a PDF or Word file for a journal carries none).
local function appendix(doc)
  local body, moved, level = pandoc.Blocks {}, pandoc.Blocks {}, nil
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and level and b.level <= level then level = nil end
    if b.t == "Header" and b.classes:includes("appendix") then level = b.level end
    if level then moved:insert(b) else body:insert(b) end
  end
  local has_refs = false
  doc:walk {Div = function(d) if d.identifier == "refs" then has_refs = true end end}
  local tail = pandoc.Blocks {}
  if has_bibliography and not has_refs then
    if body[#body] and body[#body].t == "Header" then tail:insert(body:remove(#body)) end
    tail:insert(pandoc.Div({}, {id = "refs"}))
  end
  body:extend(moved)
  body:extend(tail)
  local attribution = doc.meta["qmdrender-attribution"]
  if attribution and FORMAT:match("html") then body:extend(attribution) end
  doc.meta["qmdrender-attribution"] = nil
  doc.blocks = body
  return doc
end

-- tbl-colwidths="[60,40]": percentages (brackets optional); fewer than the columns repeat
-- the last; a total above 100 is scaled to 100.
local function colwidths(tbl)
  local spec = tbl.attributes["tbl-colwidths"]
  if not spec then return end
  local given = {}
  local inner = spec:match("^%s*%[(.*)%]%s*$") or spec
  for item in inner:gmatch("[^,]+") do table.insert(given, tonumber(item)) end
  local ok = #given > 0 and #given == select(2, inner:gsub(",", "")) + 1
  if not ok then
    refuse(tbl.attributes[POS], 'tbl-colwidths="' .. spec .. '" (give percentages, [60,40])')
  end
  local widths, total = {}, 0
  for i = 1, #tbl.colspecs do
    widths[i] = given[math.min(i, #given)]
    total = total + widths[i]
  end
  local scale = total > 100 and 100 / total or 1
  for i, w in ipairs(widths) do tbl.colspecs[i][2] = w * scale / 100 end
  tbl.attributes["tbl-colwidths"] = nil
  return tbl
end

-- Typst may end a line after any hyphen ("CAR-" / "T"): in the title, subtitle and headings
-- each hyphenated word goes into a box, which Typst keeps on one line.
local function unbroken(inlines)
  return inlines:walk {Str = function(s)
    if s.text:find("%-") then
      return {pandoc.RawInline("typst", "#box["), s, pandoc.RawInline("typst", "]")}
    end
  end}
end

local function read_allowed(doc, key, into)
  for entry in stringify(doc.meta[key] or ""):gmatch("[^,]+") do into[entry] = true end
  doc.meta[key] = nil
end

function Pandoc(doc)
  read_allowed(doc, "qmdrender-classes", allowed_classes)
  read_allowed(doc, "qmdrender-attributes", allowed_attributes)
  number_sections = doc.meta["number-sections"] == true
  has_bibliography = doc.meta.bibliography ~= nil
  doc = positions_and_checks(doc)
  doc = count(doc)
  doc = doc:walk {
    Table = colwidths,
    Image = function(img)
      if img.attributes["fig-alt"] then
        img.caption = pandoc.Inlines(img.attributes["fig-alt"])
        img.attributes["fig-alt"] = nil
        return img
      end
    end,
    Cite = crossref,
    Inlines = function(inlines)
      local out = pandoc.Inlines {}
      local skip = 0
      for i, el in ipairs(inlines) do
        if i <= skip then goto continue end
        if el.t == "Math" and el.mathtype == "DisplayMath" then
          local id, j = equation_id(inlines, i)
          if id then
            local number = numbers[id]:match("(%d+)$")
            el.text = el.text .. " \\qquad (" .. number .. ")"
            out:insert(pandoc.Span({el}, {id = id, class = "quarto-equation"}))
            skip = j
            goto continue
          end
        end
        out:insert(el)
        ::continue::
      end
      return out
    end,
    Header = function(h)
      local number = h.attributes["number"]
      if number then
        h.attributes["number"] = nil
        h.content:insert(1, pandoc.Space())
        h.content:insert(1, pandoc.Span({pandoc.Str(number)}, {class = "header-section-number"}))
        return h
      end
    end,
  }
  doc = doc:walk {
    traverse = "topdown",
    Div = function(div)
      local kind = kind_of(div.identifier)
      if div.classes:includes("qmdrender-pagebreak") then return pagebreak(), false end
      for _, class in ipairs(div.classes) do
        local callout_kind = class:match("^callout%-(.*)$")
        if CALLOUTS[callout_kind] and not div.classes:includes("callout") then
          return callout(div, callout_kind)
        end
      end
      if kind == "fig" then return figure(div), false end
      if kind == "tbl" then
        local content, caption = float_parts(div)
        return table_float(div.identifier, content, caption), false
      end
    end,
    Figure = function(fig)
      if kind_of(fig.identifier) == "fig" then return figure(fig), false end
    end,
    Table = function(tbl)
      local id = table_id(tbl)
      if not id then return end
      local caption = pandoc.utils.blocks_to_inlines(tbl.caption.long)
      if id ~= tbl.identifier then
        caption:remove(#caption)
        if caption[#caption] and caption[#caption].t == "Space" then caption:remove(#caption) end
      end
      tbl.identifier = ""
      tbl.caption = pandoc.Caption()
      return table_float(id, {tbl}, caption), false
    end,
  }
  doc = appendix(doc)
  if FORMAT:match("html") then  -- a wide table scrolls inside its own box on a narrow screen
    doc = doc:walk {Table = function(tbl)
      -- attributes as a list of pairs: a Lua table's keys come out in a different order each run
      return pandoc.Div({tbl}, pandoc.Attr("", {"table-scroll"}, {{"role", "region"},
        {"tabindex", "0"}, {"aria-label", "Table, scrolls sideways"}}))
    end}
  end
  if FORMAT == "typst" then
    for _, key in ipairs {"title", "subtitle"} do
      if doc.meta[key] then
        -- ragged, not justified, and no word hyphenated: a centred title reads as set
        local inlines = unbroken(pandoc.Inlines(doc.meta[key]))
        inlines:insert(1, pandoc.RawInline("typst",
          "#set par(justify: false);#set text(hyphenate: false);"))
        doc.meta[key] = pandoc.MetaInlines(inlines)
      end
    end
    doc = doc:walk {Header = function(h) h.content = unbroken(h.content); return h end}
  end
  if FORMAT == "typst" and doc.meta.keywords then  -- the template lists them as Typst code
    local quoted = pandoc.List {}
    for _, k in ipairs(doc.meta.keywords) do
      local s = stringify(k):gsub("\\", "\\\\"):gsub('"', '\\"')
      quoted:insert(pandoc.MetaInlines {pandoc.RawInline("typst", '"' .. s .. '"')})
    end
    doc.meta.keywords = quoted
  end
  local affiliations = doc.meta["qmdrender-affiliations"]
  if affiliations then  -- under the title block, in every format
    local blocks = pandoc.Blocks(affiliations)
    doc.blocks:insert(1, pandoc.Div(blocks, {class = "quarto-title-affiliations"}))
    doc.meta["qmdrender-affiliations"] = nil
  end
  return strip_positions(doc)
end
