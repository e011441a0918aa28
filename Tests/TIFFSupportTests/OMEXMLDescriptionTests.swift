import TIFFSupport
import Testing

/// The pixel size read from OME-XML (tifffile's and Bio-Formats' spellings); reading OME-TIFF
/// files written by tifffile itself is checked in Tests/tools/outside/check_pixel_size.py.
@Suite struct OMEXMLDescriptionTests {
  @Test func readsPhysicalSizesWithTheirUnits() throws {
    let xml = """
      <?xml version="1.0" encoding="UTF-8"?>
      <OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0" Name="a&amp;b">
      <Pixels DimensionOrder="XYCZT" ID="Pixels:0" SizeC="1" SizeT="1" SizeX="64" SizeY="48" SizeZ="1"
        Type="float" PhysicalSizeX="0.325" PhysicalSizeXUnit="&#181;m" PhysicalSizeY='650' PhysicalSizeYUnit="nm">
      <Channel ID="Channel:0:0" SamplesPerPixel="1"/></Pixels></Image></OME>
      """
    let ome = try #require(OMEXMLDescription(parsing: xml))
    #expect(ome.physicalSizeX == 0.325 && ome.physicalSizeY == 650)
    #expect(ome.unitX == "µm" && ome.unitY == "nm")
    let calibration = try #require(ome.calibration)
    #expect(calibration.unit == "µm")
    #expect(abs(calibration.pixelWidth - 0.325) < 1e-12 && abs(calibration.pixelHeight - 0.65) < 1e-12)
  }

  @Test func defaultsToMicrometresAndAcceptsANamespacePrefix() throws {
    let xml = #"<ome:OME xmlns:ome="x"><ome:Image><ome:Pixels PhysicalSizeX="2.5" SizeX="4"/></ome:Image></ome:OME>"#
    let calibration = try #require(OMEXMLDescription(parsing: xml)?.calibration)
    #expect(calibration == TIFFCalibration(pixelWidth: 2.5, pixelHeight: 2.5, unit: "µm"))
  }

  @Test func statesNothingWithoutSizesOrWithUnitsThatAreNoLength() {
    #expect(OMEXMLDescription(parsing: #"<OME><Image><Pixels SizeX="4" SizeY="4"/></Image></OME>"#)?.calibration == nil)
    #expect(
      OMEXMLDescription(parsing: #"<OME><Pixels PhysicalSizeX="3" PhysicalSizeXUnit="pixel"/></OME>"#)?.calibration
        == nil)
    #expect(OMEXMLDescription(parsing: #"<OME><Pixels PhysicalSizeX="-1"/></OME>"#)?.calibration == nil)
    #expect(OMEXMLDescription(parsing: "ImageJ=1.54f\nunit=um\n") == nil)
    #expect(OMEXMLDescription(parsing: "<Pixels PhysicalSizeX=\"1\"/>") == nil, "not OME-XML")
    // Truncated or odd markup gives what was read, never a crash.
    _ = OMEXMLDescription(parsing: "<OME><Pixels PhysicalSizeX=\"1")
    _ = OMEXMLDescription(parsing: "<OME><Pixels PhysicalSizeX=")
    _ = OMEXMLDescription(parsing: "<OME><Pixels")
    _ = OMEXMLDescription(parsing: "<OME><")
  }

  @Test func pageIndicesFollowTheDimensionOrder() throws {
    func description(_ order: String) throws -> OMEXMLDescription {
      try #require(OMEXMLDescription(parsing: #"<OME><Pixels DimensionOrder="\#(order)" SizeC="2" SizeZ="3" SizeT="4"/></OME>"#))
    }
    let czt = try description("XYCZT")
    #expect((czt.sizeC, czt.sizeZ, czt.sizeT) == (2, 3, 4))
    #expect(czt.pageIndex(c: 1, z: 2, t: 3) == 1 + 2 * 2 + 3 * 6)
    #expect(try description("XYZCT").pageIndex(c: 1, z: 2, t: 3) == 2 + 1 * 3 + 3 * 6)
    #expect(try description("XYTZC").pageIndex(c: 1, z: 2, t: 3) == 3 + 2 * 4 + 1 * 12)
    // Every order visits each page exactly once.
    for order in ["XYCZT", "XYCTZ", "XYZCT", "XYZTC", "XYTCZ", "XYTZC"] {
      let ome = try description(order)
      var seen = Set<Int>()
      for c in 0..<2 { for z in 0..<3 { for t in 0..<4 { seen.insert(ome.pageIndex(c: c, z: z, t: t) ?? -1) } } }
      #expect(seen == Set(0..<24), "\(order)")
    }
    #expect(try description("XYQZT").pageIndex(c: 0, z: 0, t: 0) == nil, "not an OME order")
    let bare = try #require(OMEXMLDescription(parsing: "<OME><Pixels/></OME>"))
    #expect((bare.sizeC, bare.sizeZ, bare.sizeT) == (1, 1, 1))
  }

  @Test func decodesEntities() {
    #expect(OMEXMLDescription.decodedEntities("a&lt;b&gt;&quot;&apos;&amp;&#x3BC;m&#181;") == "a<b>\"'&μmµ")
    #expect(OMEXMLDescription.decodedEntities("&unknown; & tail") == "&unknown; & tail")
  }

  @Test func unitTableConvertsToMicrometres() {
    #expect(TIFFCalibration.micrometres(perUnit: "micron") == 1)
    #expect(TIFFCalibration.micrometres(perUnit: "nm") == 1e-3)
    #expect(TIFFCalibration.micrometres(perUnit: "mm") == 1e3)
    #expect(TIFFCalibration.micrometres(perUnit: "inch") == 25_400)
    #expect(TIFFCalibration.micrometres(perUnit: "pixel") == nil)
    let size = TIFFCalibration(pixelWidth: 500, pixelHeight: 250, unit: "nm").micrometresPerPixel
    #expect(size?.width == 0.5 && size?.height == 0.25)
  }
}
