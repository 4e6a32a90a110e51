"""The paper archive: locations, boxes, files in boxes, retrievals and destruction."""
